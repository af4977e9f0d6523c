"""Security tests: the access matrix, sign-in throttling, cookies, CSRF, headers, secrets."""
