"""Appends one directory record to a pond's table with the delta-rs Python package, as another
Delta writer (or someone crafting a pond) would.

Usage: python append_directory_record.py TABLE_PATH < record.json, where the record is
{"dir": NODE_ID, "version": N, "size": N, "entries": [{"name", "node_id", "part_id", "entry_type"}]}.
"""

import datetime
import json
import os
import sys

import pyarrow as pa
import pyarrow.ipc as ipc
from deltalake import DeltaTable, write_deltalake

ENTRY_SCHEMA = pa.schema(
    [
        pa.field("name", pa.string(), nullable=False),
        ("child_node_id", pa.string()),
        ("child_part_id", pa.string()),
        ("child_entry_type", pa.string()),
        pa.field("op", pa.string(), nullable=False),
    ]
)
ROW_SCHEMA = pa.schema(
    [
        ("part_id", pa.string()),
        ("node_id", pa.string()),
        ("entry_type", pa.string()),
        ("version", pa.int64()),
        ("txn_seq", pa.int64()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("content", pa.binary()),
        ("content_ref", pa.string()),
        ("size", pa.int64()),
        ("sha256", pa.string()),
        ("min_event_time", pa.int64()),
        ("max_event_time", pa.int64()),
        ("attrs", pa.string()),
    ]
)

path = sys.argv[1]
record = json.load(sys.stdin)
entries = record["entries"]
changes = pa.table(
    {
        "name": [e["name"] for e in entries],
        "child_node_id": [e["node_id"] for e in entries],
        "child_part_id": [e["part_id"] for e in entries],
        "child_entry_type": [e["entry_type"] for e in entries],
        "op": ["insert" for _ in entries],
    },
    schema=ENTRY_SCHEMA,
)
sink = pa.BufferOutputStream()
with ipc.new_stream(sink, ENTRY_SCHEMA) as writer:
    writer.write_table(changes)

version = DeltaTable(path).version() + 1
row = {
    "part_id": [record["dir"]],
    "node_id": [record["dir"]],
    "entry_type": ["directory"],
    "version": [record["version"]],
    "txn_seq": [version],
    "timestamp": [datetime.datetime.now(datetime.timezone.utc)],
    "content": [sink.getvalue().to_pybytes()],
    "content_ref": [None],
    "size": [record["size"]],
    "sha256": [""],
    "min_event_time": [None],
    "max_event_time": [None],
    "attrs": [None],
}
write_deltalake(path, pa.table(row, schema=ROW_SCHEMA), mode="append", partition_by=["part_id"])
sys.stdout.flush()
# Skip interpreter teardown: the deltalake runtime can abort while shutting down.
os._exit(0)
