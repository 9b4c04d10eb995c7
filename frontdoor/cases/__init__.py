"""Case work on sent referrals: the case beside each immutable submission.

A submission never changes; everything the council does with it (the team it is in, its
stage, who it is assigned to, its rating, notes, the decision, transfers) is on its Case.
Each action is one named service function in `services.py` that writes the history and the
audit event: the staff pages call them, and the API will call the same ones.
"""
