"""The demo portfolio behind `manage.py seed_demo`: deterministic, realistic, scalable.

`seed.py` holds the writes (`demo_seed`, `demo_reset`) and the demo logins; `names.py` holds
the fixed vocabularies it draws from.
"""
