//! Signed tokens: short-lived access tokens, longer-lived refresh tokens, and execution
//! tokens — the credential an action gets (`ATTUNE_API_TOKEN`) to call the API back, bound
//! to its execution so that the API refuses it once the execution has ended.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Authenticates API requests.
    Access,
    /// Only obtains new tokens.
    Refresh,
    /// Authenticates API requests of one execution's action while the execution runs (the
    /// `execution` claim names it).
    Execution,
}

/// A token's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The identity's id.
    pub sub: String,
    /// The identity's login.
    pub login: String,
    /// What the token is for.
    pub kind: TokenKind,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expires at (seconds since the epoch).
    pub exp: u64,
    /// Unique token id.
    pub jti: String,
    /// The execution an execution token is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<i64>,
    /// The generation of the identity's credentials it was issued under: a token of an
    /// earlier generation (before a password change or a disable) is refused.
    #[serde(default)]
    pub generation: i64,
}

impl Claims {
    /// The identity's id.
    pub fn identity_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

/// An access token and a refresh token, as returned by login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// Authenticates API requests (`Authorization: Bearer ...`).
    pub access_token: String,
    /// Obtains a new pair.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Past its expiry.
    #[error("token expired")]
    Expired,
    /// Malformed, badly signed, or of the wrong kind.
    #[error("invalid token")]
    Invalid,
}

/// Whom a token is issued to.
struct Subject<'a> {
    identity_id: i64,
    login: &'a str,
    generation: i64,
}

/// Issues and verifies tokens with one secret.
#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    access_ttl: Duration,
    refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer").field("access_ttl", &self.access_ttl).finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// An issuer signing with `secret`.
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access_ttl,
            refresh_ttl,
        }
    }

    /// A fresh access + refresh pair for an identity whose credentials were never revoked
    /// (generation 0).
    pub fn issue(&self, identity_id: i64, login: &str) -> TokenPair {
        self.issue_recorded(identity_id, login, 0).0
    }

    /// A fresh pair under credential generation `generation`, and the claims of its
    /// refresh token, for callers that record issued refresh tokens (to accept each once).
    pub fn issue_recorded(&self, identity_id: i64, login: &str, generation: i64) -> (TokenPair, Claims) {
        let subject = Subject { identity_id, login, generation };
        let (access_token, _) = self.sign(&subject, TokenKind::Access, self.access_ttl, None);
        let (refresh_token, refresh) = self.sign(&subject, TokenKind::Refresh, self.refresh_ttl, None);
        let pair = TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer".into(),
            expires_in: self.access_ttl.as_secs(),
        };
        (pair, refresh)
    }

    /// An execution token: acts as `identity_id` (who requested execution `execution`)
    /// under credential generation `generation` for at most `ttl`, and only while that
    /// execution has not ended (checked by whoever accepts it).
    pub fn issue_for_execution(
        &self,
        identity_id: i64,
        login: &str,
        generation: i64,
        execution: i64,
        ttl: Duration,
    ) -> String {
        self.sign(&Subject { identity_id, login, generation }, TokenKind::Execution, ttl, Some(execution)).0
    }

    fn sign(&self, subject: &Subject<'_>, kind: TokenKind, ttl: Duration, execution: Option<i64>) -> (String, Claims) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims = Claims {
            sub: subject.identity_id.to_string(),
            login: subject.login.to_owned(),
            kind,
            iat: now,
            exp: now + ttl.as_secs(),
            jti: hex::encode(rand::random::<[u8; 16]>()),
            execution,
            generation: subject.generation,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of serializable claims cannot fail");
        (token, claims)
    }

    /// The claims of `token`, if it is valid, unexpired and of kind `kind`.
    pub fn verify(&self, token: &str, kind: TokenKind) -> Result<Claims, TokenError> {
        self.verify_any(token, &[kind])
    }

    /// The claims of `token`, if it is valid, unexpired and of one of `kinds`.
    pub fn verify_any(&self, token: &str, kinds: &[TokenKind]) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        let bound = data.claims.execution.is_some();
        if !kinds.contains(&data.claims.kind) || bound != (data.claims.kind == TokenKind::Execution) {
            return Err(TokenError::Invalid);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer(secret: &[u8]) -> TokenIssuer {
        TokenIssuer::new(secret, Duration::from_secs(3600), Duration::from_secs(7 * 86400))
    }

    #[test]
    fn issues_and_verifies_both_kinds() {
        let issuer = issuer(b"secret");
        let pair = issuer.issue(7, "alice");
        assert_eq!(pair.expires_in, 3600);
        let access = issuer.verify(&pair.access_token, TokenKind::Access).unwrap();
        assert_eq!((access.identity_id(), access.login.as_str()), (Some(7), "alice"));
        let refresh = issuer.verify(&pair.refresh_token, TokenKind::Refresh).unwrap();
        assert_eq!(refresh.exp - refresh.iat, 7 * 86400);
        assert_eq!(issuer.verify(&pair.refresh_token, TokenKind::Access), Err(TokenError::Invalid));
    }

    #[test]
    fn recorded_issue_returns_the_refresh_claims() {
        let issuer = issuer(b"secret");
        let (pair, claims) = issuer.issue_recorded(3, "bob", 0);
        let verified = issuer.verify(&pair.refresh_token, TokenKind::Refresh).unwrap();
        assert_eq!(verified, claims);
        let (again, other) = issuer.issue_recorded(3, "bob", 0);
        assert_ne!(other.jti, claims.jti, "every token has its own id");
        assert_ne!(again.refresh_token, pair.refresh_token);
    }

    #[test]
    fn execution_tokens_carry_their_execution_and_are_only_execution_tokens() {
        let issuer = issuer(b"secret");
        let token = issuer.issue_for_execution(4, "carol", 2, 77, Duration::from_secs(60));
        let claims = issuer.verify_any(&token, &[TokenKind::Access, TokenKind::Execution]).unwrap();
        assert_eq!((claims.identity_id(), claims.kind, claims.execution), (Some(4), TokenKind::Execution, Some(77)));
        assert_eq!(claims.generation, 2);
        assert_eq!(issuer.verify(&token, TokenKind::Access), Err(TokenError::Invalid), "not an access token");
        assert_eq!(issuer.verify(&token, TokenKind::Refresh), Err(TokenError::Invalid));
        let pair = issuer.issue(4, "carol");
        assert_eq!(issuer.verify(&pair.access_token, TokenKind::Execution), Err(TokenError::Invalid));
    }

    #[test]
    fn rejects_foreign_expired_and_garbage_tokens() {
        let pair = issuer(b"secret").issue(1, "a");
        assert_eq!(issuer(b"other").verify(&pair.access_token, TokenKind::Access), Err(TokenError::Invalid));
        assert_eq!(issuer(b"secret").verify("not.a.token", TokenKind::Access), Err(TokenError::Invalid));
        let issuer = issuer(b"secret");
        let claims = Claims {
            sub: "1".into(),
            login: "a".into(),
            kind: TokenKind::Access,
            iat: 1,
            exp: 2,
            jti: "x".into(),
            execution: None,
            generation: 0,
        };
        let old = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &issuer.encoding).unwrap();
        assert_eq!(issuer.verify(&old, TokenKind::Access), Err(TokenError::Expired));
    }
}
