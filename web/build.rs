//! Compiles the bundled scenarios at build time, so that the page opens a bundled scenario
//! without a TOML reader in its first module: each becomes the compact form of
//! `tcpsim_scenario::compiled` (titles and the core's setup, whose repeats stay templates),
//! embedded in the page. A scenario whose compiled form is large (thousands of calls written out
//! one by one) would be left to the page's compiler module instead, as an edited text is.

use std::fmt::Write as _;
use std::path::Path;

#[path = "src/fingerprint.rs"]
mod fingerprint;

/// Compiled forms larger than this are not embedded.
const MAX_EMBEDDED: usize = 8 * 1024;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo::rerun-if-changed={}", dir.display());
    println!("cargo::rerun-if-changed=src/fingerprint.rs");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    let mut table = String::from(
        "/// (id, English title, Chinese title, length and FNV-1a fingerprint of the text, compiled\n\
         /// form unless large) of each bundled scenario, compiled at build time.\n\
         #[allow(clippy::type_complexity)]\n\
         pub const COMPILED: &[(&str, &str, &str, usize, u64, Option<&[u8]>)] = &[\n",
    );
    for path in &entries {
        println!("cargo::rerun-if-changed={}", path.display());
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!("{id}.toml");
        let scenario = tcpsim_scenario::Scenario::parse(&name, &text).unwrap_or_else(|e| {
            panic!(
                "the bundled scenario {} does not compile:\n{e}",
                path.display()
            )
        });
        let compiled = scenario.compiled();
        let bytes = tcpsim_scenario::compiled::encode(&Ok(compiled));
        let embedded = if bytes.len() <= MAX_EMBEDDED {
            let file = out.join(format!("{id}.tsim"));
            std::fs::write(&file, &bytes).unwrap();
            format!("Some(include_bytes!({:?}))", file.display().to_string())
        } else {
            "None".to_string()
        };
        let _ = writeln!(
            table,
            "    ({:?}, {:?}, {:?}, {}, {:#x}, {embedded}),",
            id,
            scenario.title.en,
            scenario.title.zh,
            text.len(),
            fingerprint::fnv1a(text.as_bytes())
        );
    }
    table.push_str("];\n");
    std::fs::write(out.join("compiled.rs"), table).unwrap();
}
