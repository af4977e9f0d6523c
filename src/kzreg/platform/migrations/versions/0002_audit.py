"""the hash-chained audit log

Revision ID: 0002_audit
Revises: 0001_users
"""
import sqlalchemy as sa
from alembic import op

import kzreg.platform.db  # UtcDateTime

revision = "0002_audit"
down_revision = "0001_users"
branch_labels = None
depends_on = None

# The log is append-only in the database too. (Do not alter audit_log in a SQLite batch
# migration: recreating the table would drop these triggers.)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
    "WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id "
    "BEGIN SELECT RAISE(ABORT, 'audit head only moves forward'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'audit head only moves forward'); END",
)

POSTGRES_TRIGGERS = (
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$""",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    """CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'UPDATE' OR NEW.seq < OLD.seq OR NEW.id <> OLD.id THEN
           RAISE EXCEPTION 'audit head only moves forward';
         END IF;
         RETURN NEW;
       END $$""",
    "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only()",
)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", kzreg.platform.db.UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(150), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("case_type", sa.String(60), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("basis", sa.String(300), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.UniqueConstraint("seq", name="uq_audit_log_seq"),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" \
        else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_head")  # the triggers go with their tables
    op.drop_index("ix_audit_log_case_id", table_name="audit_log")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_head_forward_only()")
        op.execute("DROP FUNCTION audit_log_append_only()")
