"""``Api``: a test client speaking the JSON API with one user's Bearer token."""

from marketplace.services.accounts import issue_api_token


class Api:
    """A test client that sends one user's Bearer token."""

    def __init__(self, client, user=None):
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {issue_api_token(user)}"} if user else {}

    def get(self, url, **params):
        return self.client.get(f"/api/v1{url}", query_string=params, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(f"/api/v1{url}", json=body or {}, headers=self.headers)

    def patch(self, url, body):
        return self.client.patch(f"/api/v1{url}", json=body, headers=self.headers)
