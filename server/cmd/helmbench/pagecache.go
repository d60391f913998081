package main

import (
	"errors"
	"fmt"
	"os"

	"vibecraft.sh/helm/server/internal/corpus"
)

// dropCachesPath is Linux's switch for emptying the page cache; only root
// may write it.
const dropCachesPath = "/proc/sys/vm/drop_caches"

// dropPageCache empties the page cache, so that the next read of a file
// comes from the disk, as the first scan after a boot does.
func dropPageCache() error {
	syncDisks() // dirty pages are not dropped: write them first
	if err := os.WriteFile(dropCachesPath, []byte("3\n"), 0); err != nil {
		return fmt.Errorf("drop the page cache: %w", err)
	}
	return nil
}

// coldDiskScan compares the scan with a plain read when neither finds the
// files in the page cache: what a person meets on the first start after a
// boot. With a warm cache the read is a memory copy and the ratio weighs
// the parser alone (smallScan's first row); here it weighs how well the
// scan keeps the disk busy. Each is run twice, the page cache emptied
// before each run.
func coldDiskScan(dir string) (row, error) {
	what := "cold scan, small records, files not in the page cache (as after a boot), vs a plain read of them"
	if err := dropPageCache(); err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist) {
			return row{what: what, measured: "not measured", target: "≤ 1.5×", pass: true,
				note: "needs root on Linux (writes " + dropCachesPath + ")"}, nil
		}
		return row{}, err
	}
	var cat, scan runs
	for range 2 {
		err := dropPageCache()
		if err == nil {
			err = cat.time(func() error { return plainRead(dir) })
		}
		if err == nil {
			err = dropPageCache()
		}
		if err == nil {
			err = scan.time(func() error { _, err := coldScan(dir); return err })
		}
		if err != nil {
			return row{}, err
		}
	}
	ratio := scan.best() / cat.best()
	return row{
		what:     what,
		measured: fmt.Sprintf("%.2f s = %.2f× the read (%.2f s)", scan.best(), ratio, cat.best()),
		target:   "≤ 1.5×",
		pass:     ratio <= 1.5,
		note: fmt.Sprintf("min/median/max of 2, page cache emptied before each: read %s, scan %s; plain read: one goroutine, %d KiB reads",
			cat, scan, corpus.ReadBufSize>>10),
	}, nil
}
