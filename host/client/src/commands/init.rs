//! `attune pack init NAME --template T`: a new pack that builds, installs and runs as
//! generated — one `hello` action in the template's language, and a README showing the
//! build → publish → run loop with the answer to expect.

use std::path::Path;

use clap::ValueEnum;

use crate::failure::Failure;

/// The kinds of pack `init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// A WebAssembly action in Python (built into a component by componentize-py).
    WasmPython,
    /// A WebAssembly action in the WebAssembly text format.
    Wat,
    /// A Python script action.
    Python,
    /// A shell script action.
    Shell,
    /// A Node.js script action.
    Node,
}

/// One file of a template: path, contents, executable.
type File = (&'static str, String, bool);

/// The action's entry point of each template, with its runner.
fn action(template: Template) -> (&'static str, &'static str, String) {
    match template {
        Template::Shell => (
            "shell",
            "hello.sh",
            "#!/bin/sh\n# The shell runner defines PARAM_<NAME> for each parameter.\nprintf 'Hello, %s!\\n' \"$PARAM_NAME\"\n"
                .into(),
        ),
        Template::Python => (
            "python",
            "hello.py",
            "\"\"\"Reads the input document on stdin, prints the result as JSON.\"\"\"\n\nimport json\nimport sys\n\n\
             document = json.load(sys.stdin)\nprint(json.dumps({\"greeting\": f\"Hello, {document['parameters']['name']}!\"}))\n"
                .into(),
        ),
        Template::Node => (
            "node",
            "hello.js",
            "// Reads the input document on stdin, prints the result as JSON.\nlet input = '';\n\
             process.stdin.on('data', (chunk) => { input += chunk; });\nprocess.stdin.on('end', () => {\n  \
             const { parameters } = JSON.parse(input);\n  console.log(JSON.stringify({ greeting: `Hello, ${parameters.name}!` }));\n});\n"
                .into(),
        ),
        Template::WasmPython => (
            "wasm",
            "hello.py",
            "\"\"\"A WebAssembly action in Python: componentize-py builds it into a component of the\n\
             attune:automation/action world (the server does so on first use).\"\"\"\n\nimport json\n\n\
             import wit_world\nfrom wit_world.imports import log\n\n\nclass WitWorld(wit_world.WitWorld):\n    \
             def run(self, ctx, params: str) -> str:\n        name = json.loads(params)[\"name\"]\n        \
             log.log(log.Level.INFO, f\"greeting {name}\")\n        return json.dumps({\"greeting\": f\"Hello, {name}!\"})\n"
                .into(),
        ),
        Template::Wat => ("wasm", "hello.wat", HELLO_WAT.replacen("examples-wasm.echo", "hello", 1)),
    }
}

/// The WebAssembly text template: the example pack's echo action, which returns its
/// parameters document (a core module the server wraps into a component).
const HELLO_WAT: &str = include_str!("../../../../packs/examples-wasm/actions/echo.wat");

/// Every file of pack `name` from `template`.
fn files(name: &str, template: Template) -> Vec<File> {
    let (runner, entry, code) = action(template);
    let output = match template {
        Template::Shell => "output_format: text\n",
        Template::Python | Template::Node => "output_format: json\n",
        Template::WasmPython | Template::Wat => "",
    };
    let expected = match template {
        Template::Shell => "Hello, world!".to_owned(),
        Template::Wat => "name: world".to_owned(),
        _ => "greeting: Hello, world!".to_owned(),
    };
    let pack = format!("ref: {name}\nlabel: {name}\ndescription: A pack made by attune pack init.\nversion: 0.1.0\n");
    let action = format!(
        "ref: {name}.hello\nlabel: Hello\ndescription: Greets someone.\nrunner_type: {runner}\nentry_point: {entry}\n\
         {output}parameters:\n  name: {{type: string, default: world}}\ntimeout: 30\n"
    );
    let readme = format!(
        "# {name}\n\nA pack with one action, `{name}.hello` ({runner}, `actions/{entry}`).\n\n\
         ```sh\nattune pack build .           # validates, writes dist/{name}-0.1.0.tar.gz\n\
         attune pack publish .         # installs it on the server of your profile (attune login)\n\
         attune action run {name}.hello name=world\n```\n\nThe run prints:\n\n```\n{expected}\n```\n"
    );
    vec![
        ("pack.yaml", pack, false),
        ("actions/hello.yaml", action, false),
        (leak(format!("actions/{entry}")), code, template == Template::Shell),
        ("README.md", readme, false),
    ]
}

/// A path made at run time, for the static table of files.
fn leak(path: String) -> &'static str {
    Box::leak(path.into_boxed_str())
}

/// Writes pack `name` from `template` into `dir/name`, which must not exist.
pub fn init(name: &str, template: Template, dir: &Path) -> Result<std::path::PathBuf, Failure> {
    attune_domain::refs::validate_name(name).map_err(|e| Failure::Usage(format!("pack name: {e}")))?;
    let root = dir.join(name);
    if root.exists() {
        return Err(Failure::file(&root, "exists already; pack init writes a new directory"));
    }
    for (path, contents, executable) in files(name, template) {
        let file = root.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Failure::file(parent, e))?;
        }
        std::fs::write(&file, contents).map_err(|e| Failure::file(&file, e))?;
        if executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Failure::file(&file, e))?;
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_makes_a_pack_the_server_checks_accept() {
        for template in Template::value_variants() {
            let dir = tempfile::tempdir().unwrap();
            let root = init("greeter", *template, dir.path()).unwrap();
            let loaded = attune_packs::load_pack(&root).unwrap_or_else(|e| panic!("{template:?}: {e}"));
            assert_eq!(loaded.pack_ref(), "greeter");
            assert_eq!(loaded.bundle.actions[0].r#ref, "greeter.hello");
            let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
            assert!(readme.contains("attune action run greeter.hello name=world"), "{readme}");
        }
    }

    #[test]
    fn a_bad_name_or_an_existing_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(init("Bad Name", Template::Shell, dir.path()).unwrap_err().exit_code(), 2);
        init("taken", Template::Shell, dir.path()).unwrap();
        let again = init("taken", Template::Shell, dir.path()).unwrap_err().to_string();
        assert!(again.contains("exists already"), "{again}");
    }
}
