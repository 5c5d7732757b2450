//! The composition root: turns configuration into ready services. The only module that
//! names concrete backends.

use std::time::Duration;

use anyhow::Context;
use attune_config::Config;
use attune_security::{Cipher, ServerSecrets, TokenIssuer};
use attune_services::Platform;

/// Opens the store (migrating it), loads or generates the server secrets, and builds the
/// shared platform handles.
pub async fn platform(config: &Config) -> anyhow::Result<Platform> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let url = config.database_url();
    let store = attune_store::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&url)))?;
    let secrets =
        ServerSecrets::load_or_generate(&config.data_dir, |name| std::env::var(name).ok())
            .context("cannot load the server secrets")?;
    let tokens = TokenIssuer::new(
        &secrets.jwt_secret,
        Duration::from_secs(config.auth.access_token_ttl_s),
        Duration::from_secs(config.auth.refresh_token_ttl_s),
    );
    Ok(Platform {
        store,
        tokens,
        cipher: Cipher::new(&secrets.encryption_key),
    })
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords_in_urls() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:****@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("sqlite://./.attune/attune.db"),
            "sqlite://./.attune/attune.db"
        );
    }
}
