"""Who may do what: the three roles and the least role each permission needs.

Each role may do everything the roles before it may: viewers read, reviewers also upload files and
record verdicts, admins also delete files, read the audit log and manage users.
"""

from __future__ import annotations

from dataclasses import dataclass

VIEWER, REVIEWER, ADMIN = "viewer", "reviewer", "admin"
ROLES = (VIEWER, REVIEWER, ADMIN)


@dataclass(frozen=True)
class Permission:
    description: str
    least_role: str


READ = Permission("reading files and results", VIEWER)
UPLOAD_FILES = Permission("uploading files", REVIEWER)
RECORD_VERDICTS = Permission("recording verdicts", REVIEWER)
UPLOAD_REFERENCES = Permission("uploading reference lists", REVIEWER)
DELETE_FILES = Permission("deleting files", ADMIN)
READ_AUDIT_LOG = Permission("reading the audit log", ADMIN)
MANAGE_USERS = Permission("managing users", ADMIN)


def may(role: str, permission: Permission) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(permission.least_role)
