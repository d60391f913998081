// Package web holds the client's static assets: the stylesheet, the icons
// and, once built, the WebAssembly client (app.wasm with its .br and .gz
// forms and their record, app.wasm.sums; built by `make build`, never
// committed).
package web

import (
	"embed"
	"io/fs"
	"path"
)

// files embeds the whole folder: `*` always matches (this file at least),
// where a literal "app.wasm" pattern would not compile on a fresh clone
// before the client is built. Assets filters out the Go files.
//
//go:embed *
var files embed.FS

// assetExt lists what Assets serves.
var assetExt = map[string]bool{
	".css": true, ".png": true, ".svg": true, ".wasm": true, ".br": true, ".gz": true,
	".ico": true, ".txt": true, ".json": true, ".webmanifest": true,
	".sums": true, // app.wasm.sums: the build's record of the client and its forms
}

// Assets is the embedded folder with only the asset files (no Go source):
// "helm.css", "icon-192.png", "app.wasm" (when built)…
func Assets() fs.FS { return assetFS{files} }

type assetFS struct{ fs.FS }

func (a assetFS) Open(name string) (fs.File, error) {
	if name != "." && !assetExt[path.Ext(name)] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return a.FS.Open(name)
}
