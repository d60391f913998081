// Command wasm is Helm's WebAssembly client: it routes every path to the
// session list and runs the go-app event loop in the browser.
//
// Build: GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o web/app.wasm ./app/wasm
//
// Nothing of server/ may be reachable from here (the size of the wasm
// grows with every package linked, and net/http alone adds ~5 MB).
package main

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"vibecraft.sh/helm/app/browser"
	"vibecraft.sh/helm/app/startgc"
	"vibecraft.sh/helm/app/ui"
)

func main() {
	startgc.Begin()
	// The runtime and every package's init have run by now: what go.run
	// costs before the first line of Helm.
	browser.Mark("helm:main")
	ui.Routes(ui.PageSeed, ui.PageWhich)
	app.RunWhenOnBrowser()
}
