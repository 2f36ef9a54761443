//! `cargo xtask size`: the flash footprint of pkce-core on a Cortex-M4F.
//!
//! Builds `xtask/size-probe` (a bare `no_main` binary whose one exported entry makes a
//! verifier, its challenge and a state, and form-encodes an authorization query), links it with
//! that entry as the only root and `--gc-sections`, then reads the ELF32 section headers itself
//! and reports `.text` and `.rodata`.
//!
//! Two builds are measured. The gated one compiles `sha2` with its compact software backend
//! (`--cfg sha2_backend_soft="compact"`), the configuration a flash-constrained device uses.
//! The reference one uses sha2's default, fully unrolled SHA-256 (about 7 KiB of `.text` on
//! its own); its size is printed for information and not gated.

use std::path::Path;

use crate::{Result, cargo, root};

use crate::nostd::TARGET;
/// `.text` must stay below this many bytes.
const TEXT_BUDGET: u64 = 8192;
/// The probe's exported entry; it must survive linking, or the probe measured nothing.
const ENTRY: &str = "pkce_size_probe";
const PROBE_BIN: &str = "pkce-size-probe";
/// The link arguments (kept in step with `xtask/size-probe/.cargo/config.toml`).
const LINK_FLAGS: [&str; 6] = [
    "-C",
    "link-arg=--gc-sections",
    "-C",
    "link-arg=-e",
    "-C",
    "link-arg=pkce_size_probe",
];
const COMPACT_SHA2: [&str; 2] = ["--cfg", "sha2_backend_soft=\"compact\""];

/// Section sizes of the linked probe.
#[derive(Debug, Default, PartialEq, Eq)]
struct Sizes {
    text: u64,
    rodata: u64,
    has_entry: bool,
}

pub(crate) fn run() -> Result {
    crate::nostd::ensure_target()?;
    let reference = build_and_measure(false)?;
    let gated = build_and_measure(true)?;
    println!(
        "pkce-core {} .text: {} bytes (.rodata: {} bytes)  [sha2 compact backend; gated < {TEXT_BUDGET}]",
        short_target(),
        gated.text,
        gated.rodata
    );
    println!(
        "pkce-core {} .text: {} bytes (.rodata: {} bytes)  [sha2 default unrolled backend; reference only]",
        short_target(),
        reference.text,
        reference.rodata
    );
    if gated.text >= TEXT_BUDGET {
        return Err(format!(
            "pkce-core .text is {} bytes, {} over the {TEXT_BUDGET}-byte budget: it must shrink by at least {} bytes",
            gated.text,
            gated.text - TEXT_BUDGET,
            gated.text - TEXT_BUDGET + 1
        ));
    }
    println!(
        "xtask size: within budget by {} bytes",
        TEXT_BUDGET - gated.text
    );
    Ok(())
}

fn short_target() -> &'static str {
    TARGET.split('-').next().unwrap_or(TARGET)
}

fn build_and_measure(compact: bool) -> Result<Sizes> {
    let probe = root().join("xtask/size-probe");
    let target_dir = root().join("target");
    let mut flags: Vec<&str> = LINK_FLAGS.to_vec();
    if compact {
        flags.extend(COMPACT_SHA2);
    }
    let mut cmd = cargo();
    cmd.current_dir(&probe)
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(probe.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        // These flags replace any RUSTFLAGS of the caller's, so the number is reproducible.
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"))
        .env_remove("RUSTFLAGS");
    crate::run(&mut cmd)?;
    let elf = target_dir.join(TARGET).join("release").join(PROBE_BIN);
    let sizes = measure(&elf)?;
    if !sizes.has_entry || sizes.text < 512 {
        return Err(format!(
            "{}: the entry `{ENTRY}` or its code was optimised away (.text {} bytes); the probe measures nothing",
            elf.display(),
            sizes.text
        ));
    }
    Ok(sizes)
}

fn measure(path: &Path) -> Result<Sizes> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_elf32(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn u16_at(b: &[u8], off: usize) -> Result<u16> {
    b.get(off..off + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
        .ok_or_else(|| format!("truncated ELF (u16 at {off})"))
}

fn u32_at(b: &[u8], off: usize) -> Result<u32> {
    b.get(off..off + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| format!("truncated ELF (u32 at {off})"))
}

fn usize_at(b: &[u8], off: usize) -> Result<usize> {
    u32_at(b, off).map(|v| v as usize)
}

/// A NUL-terminated name in a string table section.
fn name_at(b: &[u8], table: usize, index: usize) -> Result<&str> {
    let start = table + index;
    let rest = b.get(start..).ok_or("string table index out of range")?;
    let end = rest
        .iter()
        .position(|&c| c == 0)
        .ok_or("unterminated name")?;
    std::str::from_utf8(&rest[..end]).map_err(|_| "name is not UTF-8".to_owned())
}

/// One section header (ELF32: 40 bytes each).
struct Section {
    name: u32,
    kind: u32,
    offset: usize,
    size: usize,
    link: u32,
}

fn section(b: &[u8], at: usize) -> Result<Section> {
    Ok(Section {
        name: u32_at(b, at)?,
        kind: u32_at(b, at + 4)?,
        offset: usize_at(b, at + 16)?,
        size: usize_at(b, at + 20)?,
        link: u32_at(b, at + 24)?,
    })
}

/// Sums `.text*` and `.rodata*` section sizes of a little-endian ELF32 file and looks for
/// [`ENTRY`] in its symbol table. Needs no dependency.
fn parse_elf32(b: &[u8]) -> Result<Sizes> {
    if b.get(..4) != Some(&b"\x7fELF"[..]) {
        return Err("not an ELF file".into());
    }
    if b.get(4) != Some(&1) || b.get(5) != Some(&1) {
        return Err("not a little-endian ELF32 file".into());
    }
    let shoff = usize_at(b, 0x20)?;
    let shentsize = usize::from(u16_at(b, 0x2E)?);
    let shnum = usize::from(u16_at(b, 0x30)?);
    let shstrndx = usize::from(u16_at(b, 0x32)?);
    if shentsize < 40 || shstrndx >= shnum {
        return Err(format!(
            "bad section header table (entry size {shentsize}, {shnum} entries)"
        ));
    }
    let sections = (0..shnum)
        .map(|i| section(b, shoff + i * shentsize))
        .collect::<Result<Vec<_>>>()?;
    let names = sections[shstrndx].offset;
    let mut sizes = Sizes::default();
    for s in &sections {
        let name = name_at(b, names, s.name as usize)?;
        let matches = |prefix: &str| {
            name == prefix
                || name
                    .strip_prefix(prefix)
                    .is_some_and(|r| r.starts_with('.'))
        };
        if matches(".text") {
            sizes.text += s.size as u64;
        } else if matches(".rodata") {
            sizes.rodata += s.size as u64;
        }
    }
    const SHT_SYMTAB: u32 = 2;
    if let Some(symtab) = sections.iter().find(|s| s.kind == SHT_SYMTAB) {
        let strtab = sections
            .get(symtab.link as usize)
            .ok_or("symbol table without strings")?;
        for at in (symtab.offset..symtab.offset + symtab.size)
            .step_by(16)
            .skip(1)
        {
            if name_at(b, strtab.offset, usize_at(b, at)?)? == ENTRY {
                sizes.has_entry = true;
            }
        }
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::{ENTRY, Sizes, parse_elf32};

    fn push_u16(v: &mut Vec<u8>, x: u16) {
        v.extend(x.to_le_bytes());
    }

    fn push_u32(v: &mut Vec<u8>, x: u32) {
        v.extend(x.to_le_bytes());
    }

    /// A minimal ELF32: sections NULL, .text (100), .text.more (20), .rodata (7), .data (50),
    /// .symtab (NULL symbol + one), .strtab, .shstrtab.
    fn tiny_elf(symbol: &str) -> Vec<u8> {
        let shstr = b"\0.text\0.text.more\0.rodata\0.data\0.symtab\0.strtab\0.shstrtab\0".to_vec();
        let strtab = [b"\0".as_slice(), symbol.as_bytes(), b"\0"].concat();
        let mut symtab = vec![0u8; 16];
        push_u32(&mut symtab, 1);
        symtab.extend([0u8; 12]);
        let mut elf = vec![0x7f, b'E', b'L', b'F', 1, 1, 1];
        elf.resize(52, 0);
        let strtab_off = elf.len();
        elf.extend(&strtab);
        let symtab_off = elf.len();
        elf.extend(&symtab);
        let shstr_off = elf.len();
        elf.extend(&shstr);
        let shoff = elf.len();
        // (name, type, offset, size, link)
        let headers: [(u32, u32, usize, usize, u32); 8] = [
            (0, 0, 0, 0, 0),
            (1, 1, 0, 100, 0),
            (7, 1, 0, 20, 0),
            (18, 1, 0, 7, 0),
            (26, 1, 0, 50, 0),
            (32, 2, symtab_off, symtab.len(), 6),
            (40, 3, strtab_off, strtab.len(), 0),
            (48, 3, shstr_off, shstr.len(), 0),
        ];
        for (name, kind, off, size, link) in headers {
            for x in [name, kind, 0, 0, off as u32, size as u32, link, 0, 1, 0] {
                push_u32(&mut elf, x);
            }
        }
        elf[0x20..0x24].copy_from_slice(&(shoff as u32).to_le_bytes());
        let mut tail = Vec::new();
        push_u16(&mut tail, 40);
        push_u16(&mut tail, 8);
        push_u16(&mut tail, 7);
        elf[0x2E..0x34].copy_from_slice(&tail);
        elf
    }

    #[test]
    fn sums_text_and_rodata_and_finds_the_entry() {
        assert_eq!(
            parse_elf32(&tiny_elf(ENTRY)),
            Ok(Sizes {
                text: 120,
                rodata: 7,
                has_entry: true
            })
        );
        assert_eq!(
            parse_elf32(&tiny_elf("other")),
            Ok(Sizes {
                text: 120,
                rodata: 7,
                has_entry: false
            })
        );
    }

    #[test]
    fn refuses_what_is_not_elf32() {
        assert!(parse_elf32(b"not an elf").is_err());
        let mut elf = tiny_elf(ENTRY);
        elf[4] = 2;
        assert!(parse_elf32(&elf).is_err());
        let elf = tiny_elf(ENTRY);
        assert!(parse_elf32(&elf[..elf.len() - 40]).is_err());
    }
}
