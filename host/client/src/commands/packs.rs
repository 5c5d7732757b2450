//! `attune pack ...`: installed packs listed, shown and removed; a pack directory turned
//! into its archive, the archive sent to a server, kept versions installed again.
//!
//! `build` runs offline: the pack is loaded and validated with the server's own checks
//! (`attune_packs`), its references into itself checked (references into other packs are
//! checked by the server at install), its WASM entry points built into components
//! ([`super::components`]), and the reproducible archive written to
//! `<dir>/dist/<ref>-<version>.tar.gz`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::api::{Api, segment};
use crate::args::{Global, PackCommand};
use crate::commands::resources::{self, page_query};
use crate::failure::Failure;
use crate::oci;
use crate::output::{self, col};

/// `attune pack ...`; `init` and `build` work without a server.
pub async fn run(global: &Global, command: PackCommand) -> Result<(), Failure> {
    let connect = || Api::connect(global);
    match command {
        PackCommand::Init { name, template, dir } => {
            let root = super::init::init(&name, template, &dir)?;
            println!("Created pack {name} in {}; see its README.md.", root.display());
            Ok(())
        }
        PackCommand::Build { dir, output, no_compile } => {
            build_command(global, &dir, output.as_deref(), !no_compile).await
        }
        PackCommand::List(page) => {
            let columns = [col("REF", "/ref"), col("VERSION", "/version"), col("DESCRIPTION", "/description")];
            resources::list(&mut connect()?, global, "/api/v1/packs", &page_query(page.limit, None), &columns).await
        }
        PackCommand::Show { pack } => {
            resources::show(&mut connect()?, global, &format!("/api/v1/packs/{}", segment(&pack)), &[]).await
        }
        PackCommand::Remove { pack } => {
            let answer = connect()?.delete(&format!("/api/v1/packs/{}", segment(&pack)), &[]).await?;
            resources::changed(global, &answer, &format!("Removed pack {pack}."));
            Ok(())
        }
        PackCommand::Publish { source, to: Some(to) } => push(global, &source, &to).await,
        PackCommand::Publish { source, to: None } => publish(&mut connect()?, global, &source).await,
        PackCommand::Install { source } => install(&mut connect()?, global, &source).await,
        PackCommand::Versions { pack } => versions(&mut connect()?, global, &pack).await,
    }
}

/// A built archive, on disk.
struct Built {
    /// Where it was written.
    path: PathBuf,
    /// Its bytes and manifest.
    archive: attune_packs::archive::Archive,
}

/// Validates the pack in `dir`, builds its components when `compile`, and writes its
/// archive into `output` (default `<dir>/dist`).
async fn build(dir: &Path, output: Option<&Path>, compile: bool) -> Result<Built, Failure> {
    let spinner = output::spinner(&format!("building {}", dir.display()));
    let loaded = attune_packs::load_pack(dir).map_err(|error| invalid(dir, &error))?;
    let problems = attune_packs::references::check_references_offline(&loaded).await;
    if !problems.is_empty() {
        let error = attune_packs::PackError::Invalid { dir: dir.display().to_string(), problems };
        return Err(invalid(dir, &error));
    }
    let (pack_ref, version) = match &loaded.bundle.pack {
        Some(pack) => (pack.r#ref.clone(), pack.version.clone()),
        None => return Err(Failure::file(&dir.join("pack.yaml"), "missing")),
    };
    spinner.set_message(format!("building the components of {pack_ref}"));
    let components = if compile { super::components::build(&loaded)? } else { Vec::new() };
    let archive =
        attune_packs::archive::write(dir, &pack_ref, &version, components).map_err(|error| invalid(dir, &error))?;
    let output = output.map_or_else(|| dir.join("dist"), Path::to_path_buf);
    std::fs::create_dir_all(&output).map_err(|e| Failure::file(&output, e))?;
    let path = output.join(archive.file_name());
    std::fs::write(&path, &archive.bytes).map_err(|e| Failure::file(&path, e))?;
    spinner.finish_and_clear();
    Ok(Built { path, archive })
}

/// A pack that failed to load or check, with each problem on a line of its own.
fn invalid(dir: &Path, error: &attune_packs::PackError) -> Failure {
    let problems = error.problems();
    if problems.is_empty() {
        return Failure::file(dir, error);
    }
    let lines: Vec<String> =
        problems.iter().map(|p| format!("\n  {}", dir.join(&p.file).display()) + ": " + &p.message).collect();
    Failure::Local(format!("invalid pack at {}:{}", dir.display(), lines.concat()))
}

/// `attune pack build`.
async fn build_command(global: &Global, dir: &Path, output: Option<&Path>, compile: bool) -> Result<(), Failure> {
    let built = build(dir, output, compile).await?;
    let manifest = &built.archive.manifest;
    if global.json {
        let summary = json!({
            "path": built.path, "digest": built.archive.digest, "ref": manifest.pack_ref,
            "version": manifest.version, "size": built.archive.bytes.len(), "files": manifest.files.len(),
            "components": manifest.components,
        });
        output::show(&summary, true);
    } else {
        for (source, component) in &manifest.components {
            println!("Built {component} from {source}.");
        }
        println!(
            "Built {} {}: {} ({} files, {} bytes)\n{}",
            manifest.pack_ref,
            manifest.version,
            built.path.display(),
            manifest.files.len(),
            built.archive.bytes.len(),
            built.archive.digest
        );
    }
    Ok(())
}

/// The archive of `source`: a pack directory, built first, or an archive file.
async fn archive_of(source: &Path) -> Result<Vec<u8>, Failure> {
    if source.is_dir() {
        Ok(build(source, None, true).await?.archive.bytes)
    } else {
        std::fs::read(source).map_err(|e| Failure::file(source, e))
    }
}

/// `attune pack publish [DIR|ARCHIVE]`: uploads the archive to the server.
async fn publish(api: &mut Api, global: &Global, source: &Path) -> Result<(), Failure> {
    let bytes = archive_of(source).await?;
    upload(api, global, &bytes).await
}

/// `attune pack publish [DIR|ARCHIVE] --to oci://...`: pushes the archive to a registry.
async fn push(global: &Global, source: &Path, to: &str) -> Result<(), Failure> {
    let reference = oci::Reference::parse(to)?;
    let bytes = archive_of(source).await?;
    // The manifest inside names the pack; a broken archive is not pushed.
    let manifest = manifest_of(&bytes, source)?;
    let spinner = output::spinner(&format!("pushing {} bytes to {to}", bytes.len()));
    let pushed = oci::Registry::new().push(&reference, &bytes, &manifest.pack_ref, &manifest.version).await;
    spinner.finish_and_clear();
    let digest = pushed?;
    if global.json {
        output::show(
            &json!({"reference": to, "manifest_digest": digest, "archive_digest": attune_packs::archive::digest(&bytes)}),
            true,
        );
    } else {
        println!("Pushed {} {} to {to} ({digest}).", manifest.pack_ref, manifest.version);
    }
    Ok(())
}

/// The manifest of archive `bytes` (from `source`), read by opening it into a scratch
/// directory with every check an install makes.
fn manifest_of(bytes: &[u8], source: &Path) -> Result<attune_packs::archive::Manifest, Failure> {
    let scratch = std::env::temp_dir().join(format!("attune-check-{}", std::process::id()));
    let opened = attune_packs::archive::open(bytes, &scratch, &attune_packs::archive::Limits::default());
    let _ = std::fs::remove_dir_all(&scratch);
    opened.map_err(|error| invalid(source, &error))
}

/// Sends an archive to the server, with its digest so that a damaged upload is refused.
async fn upload(api: &mut Api, global: &Global, bytes: &[u8]) -> Result<(), Failure> {
    let digest = attune_packs::archive::digest(bytes);
    let spinner = output::spinner(&format!("uploading {} bytes", bytes.len()));
    let answer = api.upload("/api/v1/packs", &[("digest", digest.clone())], bytes).await;
    spinner.finish_and_clear();
    installed(global, &answer?);
    Ok(())
}

fn installed(global: &Global, answer: &Value) {
    let data = &answer["data"];
    if global.json {
        output::show(data, true);
        return;
    }
    let pack = &data["pack"];
    let summary = &data["summary"];
    println!(
        "Installed {} {} ({}): {} created, {} updated, {} deleted.",
        pack["ref"].as_str().unwrap_or_default(),
        pack["version"].as_str().unwrap_or_default(),
        pack["archive_digest"].as_str().unwrap_or("from a directory"),
        summary["created"],
        summary["updated"],
        summary["deleted"]
    );
}

/// `attune pack install SOURCE`: an archive file, or `REF@VERSION` kept on the server.
async fn install(api: &mut Api, global: &Global, source: &str) -> Result<(), Failure> {
    if source.starts_with("oci://") {
        let reference = oci::Reference::parse(source)?;
        let spinner = output::spinner(&format!("pulling {source}"));
        let pulled = oci::Registry::new().pull(&reference).await;
        spinner.finish_and_clear();
        return upload(api, global, &pulled?).await;
    }
    let path = Path::new(source);
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(|e| Failure::file(path, e))?;
        return upload(api, global, &bytes).await;
    }
    let Some((pack, version)) = source.split_once('@').filter(|(p, v)| !p.is_empty() && !v.is_empty()) else {
        return Err(Failure::Usage(format!(
            "'{source}' is neither an archive file nor REF@VERSION (a version kept on the server)"
        )));
    };
    let route = format!("/api/v1/packs/{}/versions/{}/install", segment(pack), segment(version));
    let answer = api.post(&route, &Value::Null).await?;
    installed(global, &answer);
    Ok(())
}

/// `attune pack versions REF`: the versions kept, the installed one marked.
async fn versions(api: &mut Api, global: &Global, pack: &str) -> Result<(), Failure> {
    let current = api.get(&format!("/api/v1/packs/{}", segment(pack)), &[]).await?;
    let mut answer = api.get(&format!("/api/v1/packs/{}/versions", segment(pack)), &[]).await?;
    let installed = current["data"]["archive_digest"].clone();
    for version in answer["data"].as_array_mut().into_iter().flatten() {
        version["installed"] = json!(version["digest"] == installed);
    }
    let columns = [
        col("VERSION", "/version"),
        col("INSTALLED", "/installed"),
        col("DIGEST", "/digest"),
        col("SIZE", "/size"),
        col("BY", "/installed_by"),
        col("CREATED", "/created"),
    ];
    output::list(&answer, &columns, global.json);
    Ok(())
}
