//! Tells the OpenAPI schema derive (`utoipa::ToSchema`) what the domain's type aliases stand
//! for: a derive sees only the names written in a struct, and `Timestamp` would otherwise be
//! an unknown type instead of an RFC 3339 date-time string.

/// Writes the aliases where the derive reads them (`OUT_DIR`).
pub fn main() {
    utoipa_config::Config::new()
        .alias_for("Timestamp", "chrono::DateTime<chrono::Utc>")
        .alias_for("Id", "i64")
        .alias_for("Json", "serde_json::Value")
        .write_to_file();
}
