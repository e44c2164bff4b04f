-- Record totals counted for a connection (`Puller::count_records`), so a
-- pull of everything is estimated from them rather than as "at least".
-- complete = 0: the count stopped before the end of the list (at least
-- `records`). counted_at_ms: when, in milliseconds since 1970.
CREATE TABLE record_totals (
    connection_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    records INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    counted_at_ms INTEGER NOT NULL,
    PRIMARY KEY (connection_id, entity)
);
