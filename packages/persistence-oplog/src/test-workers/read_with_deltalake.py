"""Reads a pond's table with the delta-rs Python package and prints what it sees as JSON."""

import json
import os
import sys

from deltalake import DeltaTable

path = sys.argv[1]
table = DeltaTable(path)
protocol = table.protocol()
result = {
    "version": table.version(),
    "partition_columns": table.metadata().partition_columns,
    "min_reader_version": protocol.min_reader_version,
    "min_writer_version": protocol.min_writer_version,
    "history_versions": sorted(h["version"] for h in table.history()),
    "rows_per_version": {},
    "rows": [],
}
for version in range(table.version() + 1):
    result["rows_per_version"][str(version)] = DeltaTable(path, version=version).to_pyarrow_table().num_rows

for row in table.to_pyarrow_table().to_pylist():
    result["rows"].append(
        {
            "part_id": row["part_id"],
            "node_id": row["node_id"],
            "entry_type": row["entry_type"],
            "version": row["version"],
            "txn_seq": row["txn_seq"],
            "content": None if row["content"] is None else row["content"].hex(),
            "content_ref": row["content_ref"],
            "size": row["size"],
            "sha256": row["sha256"],
            "timestamp_ms": round(row["timestamp"].timestamp() * 1000),
        }
    )
json.dump(result, sys.stdout)
sys.stdout.flush()
# Skip interpreter teardown: the deltalake runtime can abort while shutting down.
os._exit(0)
