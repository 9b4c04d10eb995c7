"""Who acts, when it is not a person: a council's case-management system (an API client).

No user account is made up for a system. The API hands the case work a `System`, which
names the client and the teams it may act for; the service functions record its name as
the actor in the history (CaseEvent.system) and its id and name in the audit's detail, as
every other API call is audited. Here, the lowest app, so that cases and referrals can
take one without importing the API.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class System:
    name: str  # the API client's name, e.g. "Liquidlogic LCS"
    client_id: int
    team_ids: frozenset[int]

    def audit_detail(self) -> dict[str, Any]:
        """What the audit records of it (as api/views.py `_audit` does for every call)."""
        return {"client": self.client_id, "client_name": self.name}


def is_system(actor: Any) -> bool:
    return isinstance(actor, System)
