"""Reporting: findings in, text out (text, full, JSON, SARIF, GitHub, GitLab, JUnit).

In: findings and the rules' documentation. Out: a report string. Knows nothing of how
findings were made. ``reporters`` formats, ``json_schema`` describes the JSON format,
``links`` says where rules are documented.
"""
