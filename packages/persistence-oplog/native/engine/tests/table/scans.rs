//! Scans read a partition, one node's rows, a node's tail from a marker, or what one version
//! added, opening only the files whose statistics may hold what is asked for.

use pond_oplog_engine::Wanted;

use crate::common::{Row, TempDir, commit, create, rows_of, run};

#[test]
fn a_node_lookup_opens_only_the_files_that_may_hold_the_node() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        for (txn, node) in ["a", "b", "c"].iter().enumerate() {
            commit(&table, &[Row::file("p", node, 1, txn as i64 + 1)]).await;
        }
        let all = rows_of(&table.scan_partition("p", Wanted::all()).await.unwrap());
        assert_eq!(all.len(), 3);
        let before = table.scan_stats();
        assert_eq!(before.files_read, 3);

        let b = rows_of(&table.scan_partition("p", Wanted::node("b")).await.unwrap());
        assert_eq!(b, [Row::file("p", "b", 1, 2)]);
        let after = table.scan_stats();
        assert_eq!(after.files_read - before.files_read, 1);
        assert_eq!(after.files_skipped - before.files_skipped, 2);

        let none = rows_of(&table.scan_partition("other", Wanted::all()).await.unwrap());
        assert!(none.is_empty());
    });
}

#[test]
fn a_scan_without_contents_leaves_the_content_column_null() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        commit(&table, &[Row::file("p", "a", 1, 1)]).await;
        let wanted = Wanted {
            skip_contents: true,
            ..Wanted::all()
        };
        let rows = rows_of(&table.scan_partition("p", wanted).await.unwrap());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].content, None);
    });
}

#[test]
fn a_nodes_tail_starts_at_its_newest_marked_row() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        let marker = r#"{"mark":"1"}"#;
        let mut rows = Vec::new();
        for txn in 1..=5 {
            let row = Row::file("p", "n", txn, txn);
            let row = if txn == 2 || txn == 4 {
                row.with_attrs(marker)
            } else {
                row
            };
            commit(&table, std::slice::from_ref(&row)).await;
            rows.push(row);
        }
        let tail = rows_of(&table.scan_node_tail("p", "n", Some(marker)).await.unwrap());
        assert_eq!(tail, rows[3..]);
        let unmarked = rows_of(&table.scan_node_tail("p", "n", Some("{}")).await.unwrap());
        assert_eq!(unmarked, rows);
    });
}

#[test]
fn a_nodes_two_newest_rows_are_read_from_its_two_newest_files_alone() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        let mut rows = Vec::new();
        for txn in 1..=5 {
            let row = Row::file("p", "n", txn, txn);
            commit(&table, std::slice::from_ref(&row)).await;
            rows.push(row);
        }
        commit(&table, &[Row::file("p", "other", 1, 6)]).await;
        let read_before = table.scan_stats().files_read;
        let newest = rows_of(&table.scan_node_tail("p", "n", None).await.unwrap());
        assert_eq!(newest, rows[3..]);
        assert_eq!(table.scan_stats().files_read - read_before, 2);
    });
}

#[test]
fn a_versions_rows_are_what_it_added_with_directory_records_contents_only() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        let record = Row::file("d", "d", 1, 1);
        let file = Row::file("d", "f", 1, 1);
        commit(&table, &[record.clone(), file.clone()]).await;
        commit(&table, &[Row::file("d", "g", 1, 2)]).await;
        let first = rows_of(&table.read_version(1).await.unwrap());
        let file_without_content = Row {
            content: None,
            ..file
        };
        assert_eq!(first, [record, file_without_content]);
    });
}
