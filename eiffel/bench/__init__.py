"""`eiffel bench`: the quick comparison (quick.py) and the full suite of a checkout (full.py)."""
