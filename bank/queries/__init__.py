"""Read-side repositories for the member API.

Async Core selects (never ORM objects) returning frozen dataclasses with amounts in integer
cents; formatting for display belongs to the API. Every function takes the member's id and
filters by it, so another member's product is simply "not found".
"""
