"""What referrals tells the apps above it, without importing them.

`submission_sent` is sent inside the transaction that makes a submission (a form sent with
or without an account), after its answers, typed copy and people are stored: a receiver's
writes commit or roll back with the submission. Arguments: `submission`, `definition`.
"""

from django.dispatch import Signal

submission_sent = Signal()
