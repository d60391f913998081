package opencode

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"vibecraft.sh/helm/server/internal/written"
)

// OpenCode has no index on time_updated, so "rows written since" would
// scan whole tables on every -wal change, and the part table grows to
// hundreds of thousands of rows. Changes are found instead from:
//   - new rows: rowids above the table's previous maximum (SQLite gives a
//     new row the maximum plus one), a range read on the rowid;
//   - rewritten rows of hot sessions (written shortly before the newest
//     write seen: the ones streaming a response), through the session_id
//     index;
//   - the session table itself, read whole (one row per conversation),
//     which catches titles, archiving, reverts and deletions.
// A rewrite of an old row in a session that is not hot (OpenCode does
// not make those, but for the answer to a question its question tool
// asked, whose session counts as hot) waits for the next full read (Scan). A table without
// rowids falls back to a full scan.

// hotWindow: sessions written this long before the newest write are hot.
const hotWindow = 10 * 60 * 1000 // ms

// maxHot bounds the hot sessions checked on one update.
const maxHot = 200

// changeTables are the tables whose rows belong to a session, in the
// order of facts.rows: OpenCode 1's two, then OpenCode 2's one.
var changeTables = [3]string{"message", "part", "session_message"}

// ofV2 reports whether table t (of changeTables) holds OpenCode 2's rows.
func ofV2(t string) bool { return t == "session_message" }

// rowStats sums up a session's rows in one table, to tell a rewrite or a
// deletion without reading the rows.
type rowStats struct{ updated, count int64 }

// tracked reports whether table t has what change detection needs.
func (r *dbReader) tracked(t string) bool {
	var cols map[string]bool
	switch t {
	case "message":
		cols = r.sc.message
	case "part":
		cols = r.sc.part
	case "session_message":
		cols = r.sc.message2
	}
	return cols["session_id"] && cols["time_updated"]
}

// rowMarks reads each table's newest rowid; a table without rowids gets
// -1, which means "scan it whole".
func (r *dbReader) rowMarks(ctx context.Context) map[string]int64 {
	marks := map[string]int64{}
	for _, t := range changeTables {
		if !r.tracked(t) {
			continue
		}
		var n sql.NullInt64
		if err := r.tx.QueryRowContext(ctx, "SELECT MAX(rowid) FROM "+t).Scan(&n); err != nil {
			marks[t] = -1
			continue
		}
		marks[t] = n.Int64
	}
	return marks
}

// changedSince lists the sessions with a new row, a hot session whose
// rows differ from what was read (newest write or row count: deletions
// count too), and, in a table scanned whole, a row written at or after
// since. It updates marks to the tables' newest rowids and raises r.mark
// to the newest write it saw.
func (r *dbReader) changedSince(ctx context.Context, since int64, marks map[string]int64, hot map[string]*facts) (map[string]bool, error) {
	out := map[string]bool{}
	now := r.rowMarks(ctx)
	for ti, t := range changeTables {
		if !r.tracked(t) {
			continue
		}
		prev, known := marks[t]
		if !known || prev < 0 || now[t] < 0 {
			// NOT INDEXED: a plain table scan, not a walk of the session
			// index with a row lookup per entry.
			err := r.collect(ctx, "SELECT session_id, MAX(time_updated), COUNT(*) FROM "+t+
				" NOT INDEXED WHERE time_updated >= ? GROUP BY session_id", []any{since},
				func(sid string, _ rowStats) { out[sid] = true })
			if err != nil {
				return nil, err
			}
			marks[t] = now[t]
			continue
		}
		// New rows count whatever their time: a clock can go backwards.
		err := r.collect(ctx, "SELECT session_id, MAX(time_updated), COUNT(*) FROM "+t+
			" NOT INDEXED WHERE rowid > ? GROUP BY session_id", []any{prev},
			func(sid string, _ rowStats) { out[sid] = true })
		if err != nil {
			return nil, err
		}
		if len(hot) > 0 {
			ids := slices.Collect(maps.Keys(hot))
			seen := map[string]bool{}
			err := r.collect(ctx, "SELECT session_id, MAX(time_updated), COUNT(*) FROM "+t+
				" WHERE session_id IN ("+placeholders(len(ids))+") GROUP BY session_id", anys(ids),
				func(sid string, st rowStats) {
					seen[sid] = true
					// The old rows of a session OpenCode 2 took over
					// are not its rows (dbReader.messageRows).
					if f := hot[sid]; f != nil && f.v2 == ofV2(t) && f.rows[ti] != st {
						out[sid] = true
					}
				})
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				if !seen[id] && hot[id].v2 == ofV2(t) && hot[id].rows[ti] != (rowStats{}) {
					out[id] = true // all its rows deleted
				}
			}
		}
		marks[t] = now[t]
	}
	return out, nil
}

// collect runs a (session_id, MAX(time_updated), COUNT(*)) query, raising
// the read mark.
func (r *dbReader) collect(ctx context.Context, query string, args []any, each func(string, rowStats)) error {
	rows, err := r.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read session rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			sid     sql.NullString
			updated any // MAX over a column of any type: read leniently (lenientSQL)
			n       int64
		)
		if err := rows.Scan(&sid, &updated, &n); err != nil {
			return fmt.Errorf("read session rows: %w", err) // no row: a sum of them
		}
		upd := lenientSQL(updated)
		r.mark = max(r.mark, written.Believed(upd, r.notAfter))
		if sid.Valid {
			// The rows of no session (NULL) name nothing to read again,
			// and they are counted nowhere: messages passes them over.
			each(sid.String, rowStats{updated: upd, count: n})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read session rows: %w", err)
	}
	return nil
}

// hotSessions are the sessions written within hotWindow of the newest
// write and those that ask (facts.asked), at most maxHot, newest first.
func (s *Source) hotSessions() map[string]*facts {
	var hot []*facts
	for _, f := range s.dbFacts {
		// A session whose question tool asks is hot however long ago it
		// asked: the answer rewrites the call where it is.
		if f.updatedAt >= s.dbMark-hotWindow || f.asked {
			hot = append(hot, f)
		}
	}
	if len(hot) > maxHot {
		slices.SortFunc(hot, func(a, b *facts) int { return cmp.Compare(b.updatedAt, a.updatedAt) })
		hot = hot[:maxHot]
	}
	out := make(map[string]*facts, len(hot))
	for _, f := range hot {
		out[f.id] = f
	}
	return out
}
