// Package el builds the client's HTML elements, each with go-app's
// app.Elem, or app.ElemSelfClosing for the void elements go-app closes
// itself, rather than its typed constructor (app.Div, app.Kbd...).
//
// Each typed constructor brings its own type, whose 60 to 200 methods the
// linker keeps because the type is used through an interface: 10-20 KB of
// wasm per element. Built here, the elements share the one type htmlElem
// (htmlElemSelfClosing for the void ones), and the client was 634 KB
// smaller raw, ~27 KB in brotli 11, with the same HTML: go-app renders,
// mounts and updates an Elem by its tag, as it does a typed element. A
// typed setter becomes Attr with the attribute's name and the same value
// (app.Time().DateTime(s) is el.Time().Attr("datetime", s)), which is
// what the typed setter does. go-app itself still builds a few typed
// elements (div, p, code, h1, img), so those types stay in the client.
//
// The constructors are not inlined: inlined, each of the ~400 call sites
// holds its own copy of app.Elem's allocation, and the client was 13 KB
// larger in brotli 11 for 8 KB less raw code. A call per element costs
// nothing beside the element's allocation and its DOM node.
package el

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// A returns an <a>.
//
//go:noinline
func A() app.HTMLElem { return app.Elem("a") }

// Article returns an <article>.
//
//go:noinline
func Article() app.HTMLElem { return app.Elem("article") }

// Blockquote returns a <blockquote>.
//
//go:noinline
func Blockquote() app.HTMLElem { return app.Elem("blockquote") }

// Button returns a <button>.
//
//go:noinline
func Button() app.HTMLElem { return app.Elem("button") }

// Code returns a <code>.
//
//go:noinline
func Code() app.HTMLElem { return app.Elem("code") }

// Dd returns a <dd>.
//
//go:noinline
func Dd() app.HTMLElem { return app.Elem("dd") }

// Del returns a <del>.
//
//go:noinline
func Del() app.HTMLElem { return app.Elem("del") }

// Div returns a <div>.
//
//go:noinline
func Div() app.HTMLElem { return app.Elem("div") }

// Dl returns a <dl>.
//
//go:noinline
func Dl() app.HTMLElem { return app.Elem("dl") }

// Dt returns a <dt>.
//
//go:noinline
func Dt() app.HTMLElem { return app.Elem("dt") }

// Em returns an <em>.
//
//go:noinline
func Em() app.HTMLElem { return app.Elem("em") }

// Footer returns a <footer>.
//
//go:noinline
func Footer() app.HTMLElem { return app.Elem("footer") }

// H1 returns a <h1>.
//
//go:noinline
func H1() app.HTMLElem { return app.Elem("h1") }

// H2 returns a <h2>.
//
//go:noinline
func H2() app.HTMLElem { return app.Elem("h2") }

// Header returns a <header>.
//
//go:noinline
func Header() app.HTMLElem { return app.Elem("header") }

// Kbd returns a <kbd>.
//
//go:noinline
func Kbd() app.HTMLElem { return app.Elem("kbd") }

// Label returns a <label>.
//
//go:noinline
func Label() app.HTMLElem { return app.Elem("label") }

// Li returns a <li>.
//
//go:noinline
func Li() app.HTMLElem { return app.Elem("li") }

// Main returns a <main>.
//
//go:noinline
func Main() app.HTMLElem { return app.Elem("main") }

// Mark returns a <mark>.
//
//go:noinline
func Mark() app.HTMLElem { return app.Elem("mark") }

// Ol returns an <ol>.
//
//go:noinline
func Ol() app.HTMLElem { return app.Elem("ol") }

// Option returns an <option>.
//
//go:noinline
func Option() app.HTMLElem { return app.Elem("option") }

// P returns a <p>.
//
//go:noinline
func P() app.HTMLElem { return app.Elem("p") }

// Pre returns a <pre>.
//
//go:noinline
func Pre() app.HTMLElem { return app.Elem("pre") }

// Section returns a <section>.
//
//go:noinline
func Section() app.HTMLElem { return app.Elem("section") }

// Select returns a <select>.
//
//go:noinline
func Select() app.HTMLElem { return app.Elem("select") }

// Span returns a <span>.
//
//go:noinline
func Span() app.HTMLElem { return app.Elem("span") }

// Strong returns a <strong>.
//
//go:noinline
func Strong() app.HTMLElem { return app.Elem("strong") }

// Table returns a <table>.
//
//go:noinline
func Table() app.HTMLElem { return app.Elem("table") }

// TBody returns a <tbody>.
//
//go:noinline
func TBody() app.HTMLElem { return app.Elem("tbody") }

// TFoot returns a <tfoot>.
//
//go:noinline
func TFoot() app.HTMLElem { return app.Elem("tfoot") }

// Td returns a <td>.
//
//go:noinline
func Td() app.HTMLElem { return app.Elem("td") }

// Th returns a <th>.
//
//go:noinline
func Th() app.HTMLElem { return app.Elem("th") }

// THead returns a <thead>.
//
//go:noinline
func THead() app.HTMLElem { return app.Elem("thead") }

// Time returns a <time>.
//
//go:noinline
func Time() app.HTMLElem { return app.Elem("time") }

// Tr returns a <tr>.
//
//go:noinline
func Tr() app.HTMLElem { return app.Elem("tr") }

// Ul returns a <ul>.
//
//go:noinline
func Ul() app.HTMLElem { return app.Elem("ul") }

// Hr returns an <hr>, which has no end tag.
//
//go:noinline
func Hr() app.HTMLElemSelfClosing { return app.ElemSelfClosing("hr") }

// Img returns an <img>, which has no end tag.
//
//go:noinline
func Img() app.HTMLElemSelfClosing { return app.ElemSelfClosing("img") }

// Input returns an <input>, which has no end tag.
//
//go:noinline
func Input() app.HTMLElemSelfClosing { return app.ElemSelfClosing("input") }

// Wbr returns a <wbr>. go-app's app.Wbr writes it with an end tag,
// <wbr></wbr>, and so does this one: the same HTML.
//
//go:noinline
func Wbr() app.HTMLElem { return app.Elem("wbr") }
