//! `attune login` and `attune logout`: credentials into and out of the profile file.

use std::io::{BufRead, IsTerminal};

use serde_json::json;

use crate::api::Api;
use crate::args::{Global, LoginArgs};
use crate::failure::Failure;
use crate::profile::{self, Profile, Profiles};

/// Logs in with a password (prompted, or read from standard input) or checks an API key,
/// then keeps the credential in the selected profile (which becomes the current one when
/// there was none).
pub async fn login(global: &Global, args: LoginArgs) -> Result<(), Failure> {
    let file = profile::path()?;
    let mut profiles = Profiles::load(&file)?;
    let name = profiles.selected(global.profile.as_deref());
    let stored = profiles.profiles.get(&name).cloned().unwrap_or_default();
    let url = global
        .url
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| Some(stored.url.clone()).filter(|u| !u.is_empty()))
        .unwrap_or_else(|| profile::DEFAULT_URL.to_owned());
    let mut api = Api::anonymous(&url);

    let profile = if let Some(key) = args.api_key {
        let mut keyed = Api::connect(&Global { url: Some(url.clone()), api_key: Some(key.clone()), ..global.clone() })?;
        let me = keyed.get("/api/v1/auth/me", &[]).await?;
        let login = me["data"]["identity"]["login"].as_str().map(str::to_owned);
        Profile { url: url.clone(), login, api_key: Some(key), ..Profile::default() }
    } else {
        let password = password(&args.login, &url, args.password_stdin)?;
        let pair = api.post("/api/v1/auth/login", &json!({"login": args.login, "password": password})).await?;
        let token = |key: &str| pair["data"][key].as_str().map(str::to_owned);
        if token("access_token").is_none() {
            return Err(Failure::Local(format!("{url}: the login answer holds no access token")));
        }
        Profile {
            url: url.clone(),
            login: Some(args.login.clone()),
            access_token: token("access_token"),
            refresh_token: token("refresh_token"),
            api_key: None,
        }
    };
    let login = profile.login.clone().unwrap_or_else(|| "(API key)".into());
    profiles.profiles.insert(name.clone(), profile);
    profiles.current.get_or_insert_with(|| name.clone());
    profiles.save(&file)?;
    if global.json {
        println!("{}", json!({"profile": name, "url": url, "login": login}));
    } else {
        println!("Logged in to {url} as {login} (profile '{name}', saved in {}).", file.display());
    }
    Ok(())
}

/// The password: one line of standard input with `--password-stdin`, else a prompt that
/// does not echo — which needs a terminal.
fn password(login: &str, url: &str, from_stdin: bool) -> Result<String, Failure> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Local(format!("cannot read the password from standard input: {e}")))?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            return Err(Failure::Usage("--password-stdin: standard input held no password".into()));
        }
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "no terminal to ask for the password on: pass it with --password-stdin, or use --api-key".into(),
        ));
    }
    rpassword::prompt_password(format!("Password for {login} at {url}: "))
        .map_err(|e| Failure::Local(format!("cannot read the password: {e}")))
}

/// Removes the selected profile's credential (its URL stays).
pub fn logout(global: &Global) -> Result<(), Failure> {
    let file = profile::path()?;
    let mut profiles = Profiles::load(&file)?;
    let name = profiles.selected(global.profile.as_deref());
    let Some(stored) = profiles.profiles.get_mut(&name) else {
        return Err(Failure::Usage(format!("no profile '{name}' in {}", file.display())));
    };
    stored.access_token = None;
    stored.refresh_token = None;
    stored.api_key = None;
    profiles.save(&file)?;
    println!("Logged out of profile '{name}'.");
    Ok(())
}
