"""The web front: JSON API, HTML pages and static assets. No SQL: every route makes one service call."""
