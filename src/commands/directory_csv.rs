//! A directory's CSV file (officers, RA staff), read all or nothing: every row checked by
//! the directory's own rule, every failure listed with its line, a NIP twice refused.

use certdesk_domain::{Nip, Problem};

/// The checked entries of `csv`, or an error listing every bad line (and importing
/// nothing). `check` is the directory's rule for one row; `nip` names an entry.
pub fn checked_rows<Row, Entry>(
    csv: &[u8],
    check: impl Fn(Row) -> Result<Entry, Vec<Problem>>,
    nip: impl Fn(&Entry) -> &Nip,
) -> anyhow::Result<Vec<Entry>>
where
    Row: serde::de::DeserializeOwned,
{
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv);
    let mut entries = Vec::new();
    let mut failures = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, record) in reader.deserialize::<Row>().enumerate() {
        let line = index + 2; // the header is line 1
        let row = match record {
            Ok(row) => row,
            Err(error) => {
                failures.push(format!("line {line}: {error}"));
                continue;
            }
        };
        match check(row) {
            Ok(entry) => {
                if let Some(first) = seen.insert(nip(&entry).clone(), line) {
                    failures.push(format!(
                        "line {line}: NIP {} already on line {first}",
                        nip(&entry)
                    ));
                }
                entries.push(entry);
            }
            Err(problems) => {
                failures.extend(problems.into_iter().map(|problem| {
                    format!("line {line}: {}: {}", problem.field, problem.message.en)
                }))
            }
        }
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "nothing imported; fix these rows:\n  {}",
            failures.join("\n  ")
        );
    }
    Ok(entries)
}
