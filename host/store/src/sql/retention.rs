//! SQL for [`crate::RetentionStore`].
//!
//! One statement per batch: `DELETE ... WHERE id IN (SELECT id ... ORDER BY id LIMIT n)`,
//! so that no lock is held longer than one batch takes (on SQLite, one write of the group
//! commit). Each kind names its table, the time it ages by and what may be collected at
//! all; the `keep` newest are counted among those.

use crate::api::retention::Collectable;

/// Table, the time a row ages by, and the condition a row must meet to be collected.
pub(crate) fn shape(kind: Collectable) -> (&'static str, &'static str, String) {
    let ended = crate::sql::admissions::ENDED;
    match kind {
        Collectable::Executions => (
            "execution",
            "COALESCE(finished, updated)",
            format!(
                "status IN {ended} \
                 AND NOT EXISTS (SELECT 1 FROM execution p WHERE p.id = execution.parent AND p.status NOT IN {ended}) \
                 AND NOT EXISTS (SELECT 1 FROM workflow_task_execution t JOIN workflow_execution w \
                     ON w.id = t.workflow_execution WHERE t.execution = execution.id AND w.status NOT IN {ended})"
            ),
        ),
        Collectable::Output => (
            "execution_output",
            "created",
            format!(
                "EXISTS (SELECT 1 FROM execution e WHERE e.id = execution_output.execution AND e.status IN {ended})"
            ),
        ),
        Collectable::Events => ("event", "created", "processed IS NOT NULL".to_owned()),
        Collectable::Enforcements => ("enforcement", "created", "status <> 'created'".to_owned()),
        Collectable::Audit => ("audit_entry", "at", "1 = 1".to_owned()),
        Collectable::Artifacts => ("artifact", "created", "1 = 1".to_owned()),
    }
}

/// Implements [`crate::RetentionStore`] for a backend.
macro_rules! impl_retention_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::RetentionStore for $store {
            async fn collect(
                &self,
                kind: $crate::api::retention::Collectable,
                due: $crate::api::retention::Due,
                batch: u32,
            ) -> $crate::StoreResult<u64> {
                if due.before.is_none() && due.keep.is_none() {
                    return Ok(0);
                }
                let (table, aged, eligible) = $crate::sql::retention::shape(kind);
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {eligible} AND ("
                ));
                let mut any = false;
                if let Some(before) = due.before {
                    qb.push(format!("{aged} < ")).push_bind(before);
                    any = true;
                }
                if let Some(keep) = due.keep {
                    if any {
                        qb.push(" OR ");
                    }
                    // The id of the newest row beyond those kept; none when there are
                    // not more than `keep` (the comparison is then never true).
                    qb.push(format!("id <= (SELECT id FROM {table} WHERE {eligible} ORDER BY id DESC LIMIT 1 OFFSET "))
                        .push_bind(i64::try_from(keep).unwrap_or(i64::MAX))
                        .push(")");
                }
                qb.push(") ORDER BY id LIMIT ").push_bind(i64::from(batch)).push(")");
                $crate::group::grouped!(
                    self.group(),
                    statement | tx | { Ok(qb.build().execute(&mut *tx).await?.rows_affected()) }
                )
            }
        }
    };
}
pub(crate) use impl_retention_store;
