//! Opening a table replays its log (from the newest checkpoint on) to the newest version or to
//! an older one; an open table moves between versions and sees other writers' commits.

use pond_oplog_engine::{Code, Table};

use crate::common::{Row, TempDir, commit, commit_input, create, rows_of, run};

/// Five versions of one file node, each its own commit, with a checkpoint every 3 versions.
async fn five_versions(dir: &TempDir) -> Vec<Row> {
    let table = create(dir, &[("delta.checkpointInterval", "3")]).await;
    let mut rows = Vec::new();
    for txn in 1..=5 {
        let row = Row::file("root", "n", txn, txn);
        let done = commit(&table, std::slice::from_ref(&row)).await;
        assert_eq!(done.version, txn);
        assert_eq!(done.checkpointed, txn == 3, "version {txn}");
        rows.push(row);
    }
    rows
}

#[test]
fn a_reopened_table_replays_its_log_past_the_checkpoint_to_the_newest_version() {
    let dir = TempDir::new();
    run(async {
        let rows = five_versions(&dir).await;
        let table = Table::open(&dir.table(), None, &Default::default()).await.unwrap();
        assert_eq!(table.version(), 5);
        assert_eq!(rows_of(&table.scan_all().await.unwrap()), rows);
        assert_eq!(
            table.properties().get("delta.checkpointInterval"),
            Some(&"3".to_string())
        );
    });
}

#[test]
fn a_commit_that_falls_due_leaves_its_checkpoint_to_be_written_after_it_returns() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[("delta.checkpointInterval", "2")]).await;
        for txn in 1..=4 {
            commit(&table, &[Row::file("root", "n", txn, txn)]).await;
        }
        table.settle_checkpoint().await;
        let log = std::path::Path::new(&dir.table()).join("_delta_log");
        for version in [2, 4] {
            assert!(
                log.join(format!("{version:020}.checkpoint.parquet"))
                    .is_file()
            );
        }
        let last = std::fs::read_to_string(log.join("_last_checkpoint")).unwrap();
        assert!(last.contains("\"version\":4"), "{last}");
        assert_eq!(Table::open(&dir.table(), None, &Default::default()).await.unwrap().version(), 4);
    });
}

#[test]
fn an_older_version_opens_as_it_was_and_time_travel_goes_both_ways() {
    let dir = TempDir::new();
    run(async {
        let rows = five_versions(&dir).await;
        let table = Table::open(&dir.table(), Some(2), &Default::default()).await.unwrap();
        assert_eq!(table.version(), 2);
        assert_eq!(rows_of(&table.scan_all().await.unwrap()), rows[..2]);
        table.load_version(4).await.unwrap();
        assert_eq!(rows_of(&table.scan_all().await.unwrap()), rows[..4]);
        table.load_version(1).await.unwrap();
        assert_eq!(rows_of(&table.scan_all().await.unwrap()), rows[..1]);
        let missing = Table::open(&dir.table(), Some(9), &Default::default()).await.err().unwrap();
        assert_eq!(missing.code, Code::Enoent);
    });
}

#[test]
fn update_reads_what_another_writer_committed() {
    let dir = TempDir::new();
    run(async {
        let writer = create(&dir, &[]).await;
        let reader = Table::open(&dir.table(), None, &Default::default()).await.unwrap();
        let row = Row::file("root", "a", 1, 1);
        commit(&writer, std::slice::from_ref(&row)).await;
        assert_eq!(reader.version(), 0);
        assert_eq!(reader.update().await.unwrap(), 1);
        assert_eq!(rows_of(&reader.scan_all().await.unwrap()), vec![row]);
    });
}

#[test]
fn a_commit_whose_version_another_writer_took_commits_nothing() {
    let dir = TempDir::new();
    run(async {
        let winner = create(&dir, &[]).await;
        let loser = Table::open(&dir.table(), None, &Default::default()).await.unwrap();
        commit(&winner, &[Row::file("root", "a", 1, 1)]).await;
        let (ipc, contents) = commit_input(&[Row::file("root", "b", 1, 1)]);
        let lost = loser.commit(ipc, contents, 1, "{}").await.err().unwrap();
        assert_eq!(lost.code, Code::VersionExists);
        let table = Table::open(&dir.table(), None, &Default::default()).await.unwrap();
        assert_eq!(table.version(), 1);
        let nodes: Vec<String> = rows_of(&table.scan_all().await.unwrap())
            .into_iter()
            .map(|r| r.node_id)
            .collect();
        assert_eq!(nodes, ["a"]);
        assert_eq!(crate::common::data_files_on_disk(&dir).len(), 1);
    });
}

#[test]
fn a_directory_without_a_log_is_no_table() {
    let dir = TempDir::new();
    run(async {
        let none = Table::open(dir.path().to_str().unwrap(), None, &Default::default())
            .await
            .err()
            .unwrap();
        assert_eq!(none.code, Code::Enoent);
    });
}
