"""The debugging companion: token reports, offline authorizer explanations, key sources, the dashboard."""
