//! Execution output: lines appended in batches, numbered in one sequence per execution,
//! read back from any point.

use crate::support::*;

conformance_tests!(
    appends_output_lines_in_sequence,
    appends_output_larger_than_one_batch,
    output_of_a_missing_execution_is_refused,
);

fn lines(stream: &str, texts: &[&str]) -> Vec<(String, String)> {
    texts.iter().map(|text| (stream.to_owned(), (*text).to_owned())).collect()
}

async fn appends_output_lines_in_sequence(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let other = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    store.append_output(execution.id, &lines("stdout", &["one", "two"])).await.unwrap();
    store.append_output(other.id, &lines("stdout", &["elsewhere"])).await.unwrap();
    store.append_output(execution.id, &[]).await.unwrap();
    let third = store.append_output(execution.id, &lines("stderr", &["three"])).await.unwrap();
    assert_eq!(third, 3, "the first seq appended is returned");
    let fourth = store.append_output(execution.id, &lines("log", &["four", "five"])).await.unwrap();
    assert_eq!(fourth, 4);
    assert_eq!(store.append_output(execution.id, &[]).await.unwrap(), 6, "nothing appended: the next seq");

    let output = store.list_output(execution.id, 0, 100).await.unwrap();
    let seen: Vec<_> = output.iter().map(|l| (l.seq, l.stream.as_str(), l.text.as_str())).collect();
    assert_eq!(
        seen,
        [(1, "stdout", "one"), (2, "stdout", "two"), (3, "stderr", "three"), (4, "log", "four"), (5, "log", "five")]
    );
    assert!(output.iter().all(|line| line.execution == execution.id));

    let middle = store.list_output(execution.id, 2, 2).await.unwrap();
    assert_eq!(middle.iter().map(|l| l.seq).collect::<Vec<_>>(), [3, 4]);
    assert!(store.list_output(execution.id, 5, 10).await.unwrap().is_empty());
    let elsewhere = store.list_output(other.id, 0, 10).await.unwrap();
    assert_eq!(elsewhere.iter().map(|l| (l.seq, l.text.as_str())).collect::<Vec<_>>(), [(1, "elsewhere")]);
}

async fn appends_output_larger_than_one_batch(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.notify")).await.unwrap();
    let texts: Vec<String> = (1..=2500).map(|n| format!("line {n}")).collect();
    let batch: Vec<(String, String)> = texts.iter().map(|t| ("stdout".to_owned(), t.clone())).collect();
    store.append_output(execution.id, &batch[..1]).await.unwrap();
    store.append_output(execution.id, &batch[1..]).await.unwrap();

    let output = store.list_output(execution.id, 0, 10_000).await.unwrap();
    assert_eq!(output.len(), 2500);
    for (index, line) in output.iter().enumerate() {
        assert_eq!((line.seq, &line.text), (index as i64 + 1, &texts[index]));
    }
}

async fn output_of_a_missing_execution_is_refused(store: &TestStore) {
    assert_not_found(store.append_output(42, &lines("stdout", &["lost"])).await);
    assert!(store.list_output(42, 0, 10).await.unwrap().is_empty());
}
