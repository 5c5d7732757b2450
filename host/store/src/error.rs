//! Store errors. Callers see what went wrong in domain terms (not found, conflict) and never
//! a raw database message; database failures are kept whole for logging.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched.
    #[error("{entity} '{key}' not found")]
    NotFound {
        /// Kind of entity.
        entity: &'static str,
        /// The id or ref looked up.
        key: String,
    },
    /// A uniqueness or ownership rule would be broken.
    #[error("{0}")]
    Conflict(String),
    /// A reference names something that does not exist.
    #[error("{0}")]
    UnknownReference(String),
    /// The database failed (connection lost, constraint bug, ...). Logged, never shown.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// The shared transaction holding the write could not be committed, so the write did
    /// not happen (see the group commit). Logged, never shown.
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The database URL is not one this build understands.
    #[error("unsupported database URL '{0}': use sqlite://... or postgres://...")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// A not-found error for `entity` looked up by `key`.
    pub fn not_found(entity: &'static str, key: impl ToString) -> Self {
        StoreError::NotFound { entity, key: key.to_string() }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            if db.is_unique_violation() {
                return StoreError::Conflict(duplicate(db.as_ref()));
            }
            if db.is_foreign_key_violation() {
                return StoreError::UnknownReference(format!(
                    "refers to something that does not exist ({})",
                    db.message()
                ));
            }
        }
        StoreError::Database(error)
    }
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// "another webhook has the same name": the table and the columns of the unique key, read
/// from the database's error without ever quoting it (its detail holds the value).
fn duplicate(db: &dyn sqlx::error::DatabaseError) -> String {
    // SQLite: "UNIQUE constraint failed: webhook.name" (or "key.owner_type, key.owner, ...").
    let sqlite = db.message().strip_prefix("UNIQUE constraint failed: ").map(|columns| {
        let pairs: Vec<(&str, &str)> = columns.split(", ").filter_map(|c| c.split_once('.')).collect();
        (pairs.first().map(|(table, _)| (*table).to_owned()), pairs.iter().map(|(_, c)| (*c).to_owned()).collect())
    });
    // PostgreSQL: the table, and a detail "Key (name)=(github) already exists."
    let postgres = || {
        let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
        let columns = pg.detail()?.strip_prefix("Key (")?.split_once(")=")?.0;
        Some((pg.table().map(str::to_owned), columns.split(", ").map(str::to_owned).collect::<Vec<_>>()))
    };
    match sqlite.or_else(postgres) {
        Some((Some(table), columns)) if !columns.is_empty() => {
            format!("another {} has the same {}", table.replace('_', " "), columns.join(" and "))
        }
        _ => "something with the same unique name already exists".to_owned(),
    }
}
