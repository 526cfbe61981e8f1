"""Writing what a checked file asks for: every row at once, with history rows naming the importer.

Called only once the whole file has passed (funds/imports.py), inside the import's transaction.
"""

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import catalogue
from ..models import AnnualReturn, Fund, FundBalance, Scholarship

WRITE_BATCH = 500


def write_returns(*, user, created: list[AnnualReturn], updated: list[AnnualReturn]) -> None:
    """Create and update returns; their versions were bumped when the rows were checked."""
    now = timezone.now()
    for annual_return in updated:
        annual_return.updated_at = now
    create_returns(user=user, returns=created)
    update_from_values(AnnualReturn, updated, [*catalogue.columns(), "coverage", "notes", "version"], now=now)
    # No fields: the rows are already updated; this writes their history, naming the importer.
    bulk_update_with_history(updated, AnnualReturn, [], batch_size=WRITE_BATCH, default_user=user)


def write_fund_balances(
    *,
    user,
    created: list[FundBalance],
    updated: list[FundBalance],
    deleted: list[FundBalance],
    changed_funds: list[Fund],
    touched_returns: list[AnnualReturn],
    new_returns: list[AnnualReturn],
) -> None:
    """Create the missing returns and the funds named by new balances, change funds' kinds, then
    write and delete the balances."""
    create_returns(user=user, returns=new_returns)
    # Only the funds of balances being created: a new fund named on a blank row is not created.
    new_funds = {id(b.fund): b.fund for b in created if b.fund.pk is None}
    # In a stable order, so that two imports naming the same new funds cannot deadlock.
    new_funds = sorted(new_funds.values(), key=lambda f: (f.association_id, f.name))
    bulk_create_with_history(new_funds, Fund, batch_size=WRITE_BATCH, default_user=user)
    bulk_update_with_history(changed_funds, Fund, ["kind"], batch_size=WRITE_BATCH, default_user=user)
    bulk_create_with_history(created, FundBalance, batch_size=WRITE_BATCH, default_user=user)
    bulk_update_with_history(updated, FundBalance, ["balance"], batch_size=WRITE_BATCH, default_user=user)
    # One by one, so that each deletion is recorded with its old values; clearing a balance is rare.
    for balance in deleted:
        balance._history_user = user
        balance.delete()
    bump_returns(user=user, returns=touched_returns)


def write_scholarships(
    *,
    user,
    created: list[Scholarship],
    updated: list[Scholarship],
    fields: list[str],
    touched_returns: list[AnnualReturn],
    new_returns: list[AnnualReturn],
) -> None:
    create_returns(user=user, returns=new_returns)
    bulk_create_with_history(created, Scholarship, batch_size=WRITE_BATCH, default_user=user)
    bulk_update_with_history(updated, Scholarship, fields, batch_size=WRITE_BATCH, default_user=user)
    bump_returns(user=user, returns=touched_returns)


def create_returns(*, user, returns: list[AnnualReturn]) -> None:
    """Create returns, first of all the writes: two transactions creating the same return collide
    on its unique constraint (an IntegrityError for the second, once the first commits), and in
    the same (association, year) order, so that two imports cannot each wait for the other.

    A new return starts at version 1, which an entry form opened before it (with no version)
    already sees as a conflict; no bump is needed.
    """
    returns = sorted(returns, key=lambda r: (r.association_id, r.year))
    bulk_create_with_history(returns, AnnualReturn, batch_size=WRITE_BATCH, default_user=user)


def bump_returns(*, user, returns: list[AnnualReturn]) -> None:
    """Bump the version of each return whose attachments changed, so that open forms see a conflict."""
    now = timezone.now()
    for annual_return in returns:
        annual_return.version += 1
        annual_return.updated_at = now
    if returns:
        bulk_update_with_history(
            returns,
            AnnualReturn,
            ["version", "updated_at"],
            batch_size=WRITE_BATCH,
            default_user=user,
        )


def update_from_values(model, objs: list, fields: list[str], *, now, batch_size: int = 1000) -> None:
    """Write `fields` (and updated_at = now) of `objs` with one UPDATE … FROM (VALUES …) per batch.

    Django's bulk_update builds a CASE WHEN per object and field, which took about 20 seconds for
    10,000 returns; this takes well under one. VALUES columns are named column1, column2, … on
    both SQLite (3.33+) and PostgreSQL, and the casts type the all-NULL columns on PostgreSQL.
    """
    if not objs:
        return
    qn = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(
        f"{qn(f.column)} = CAST(v.column{i + 2} AS {f.cast_db_type(connection)})"
        for i, f in enumerate(model_fields)
    )
    updated_at = model._meta.get_field("updated_at")
    pk = model._meta.pk
    placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = [updated_at.get_db_prep_save(now, connection)]
            for obj in batch:
                params.append(obj.pk)
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields)
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} SET {assignments}, {qn(updated_at.column)} = %s "
                f"FROM (VALUES {', '.join([placeholder] * len(batch))}) AS v "
                f"WHERE {qn(model._meta.db_table)}.{qn(pk.column)} = v.column1",
                params,
            )
