"""Reporting: findings in, text out (text, JSON, SARIF, GitHub, JUnit).

In: findings and the rules' documentation. Out: a report string. Knows nothing of how
findings were made.
"""
