"""Accounts: who may do what. Actors and roles (``actor``), password hashing (``passwords``), user
administration (``users``), browser sessions (``sessions``), API tokens (``tokens``), login rate limits
(``limits``) and the audit log (``audit``).

Services take the platform and an ``Actor``, decide with ``Actor.has``, write through ``pivgm.records`` and
audit every change; time comes from a ``clock`` argument so that tests can move it.
"""
