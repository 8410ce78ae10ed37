"""The NinjaAPI instance: authentication, structured errors, and each app's router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Okno API", version="1.0.0", urls_namespace="api")
