// Package el builds the client's HTML elements, each with go-app's
// app.Elem or app.ElemSelfClosing rather than its typed constructor
// (app.Div, app.Kbd, app.Input...).
//
// Each typed constructor brings its own type, whose 60 to 200 methods the
// linker keeps because the type is used through an interface: 10-20 KB of
// wasm per element, ~0.8 KB after brotli. Built here, every element shares
// the one type htmlElem (htmlElemSelfClosing for the void elements), and
// the client is smaller by ~30 KB of brotli with the same DOM: go-app
// renders, mounts and updates an Elem by its tag, as it does a typed
// element. A typed setter becomes Attr with the attribute's name and the
// same value (app.Time().DateTime(s) is el.Time().Attr("datetime", s)),
// which is what the typed setter calls.
package el

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// A returns an <a>.
func A() app.HTMLElem { return app.Elem("a") }

// Article returns an <article>.
func Article() app.HTMLElem { return app.Elem("article") }

// Blockquote returns a <blockquote>.
func Blockquote() app.HTMLElem { return app.Elem("blockquote") }

// Button returns a <button>.
func Button() app.HTMLElem { return app.Elem("button") }

// Code returns a <code>.
func Code() app.HTMLElem { return app.Elem("code") }

// Dd returns a <dd>.
func Dd() app.HTMLElem { return app.Elem("dd") }

// Del returns a <del>.
func Del() app.HTMLElem { return app.Elem("del") }

// Div returns a <div>.
func Div() app.HTMLElem { return app.Elem("div") }

// Dl returns a <dl>.
func Dl() app.HTMLElem { return app.Elem("dl") }

// Dt returns a <dt>.
func Dt() app.HTMLElem { return app.Elem("dt") }

// Em returns an <em>.
func Em() app.HTMLElem { return app.Elem("em") }

// Footer returns a <footer>.
func Footer() app.HTMLElem { return app.Elem("footer") }

// H1 returns a <h1>.
func H1() app.HTMLElem { return app.Elem("h1") }

// H2 returns a <h2>.
func H2() app.HTMLElem { return app.Elem("h2") }

// Header returns a <header>.
func Header() app.HTMLElem { return app.Elem("header") }

// Kbd returns a <kbd>.
func Kbd() app.HTMLElem { return app.Elem("kbd") }

// Label returns a <label>.
func Label() app.HTMLElem { return app.Elem("label") }

// Li returns a <li>.
func Li() app.HTMLElem { return app.Elem("li") }

// Main returns a <main>.
func Main() app.HTMLElem { return app.Elem("main") }

// Mark returns a <mark>.
func Mark() app.HTMLElem { return app.Elem("mark") }

// Ol returns an <ol>.
func Ol() app.HTMLElem { return app.Elem("ol") }

// Option returns an <option>.
func Option() app.HTMLElem { return app.Elem("option") }

// P returns a <p>.
func P() app.HTMLElem { return app.Elem("p") }

// Pre returns a <pre>.
func Pre() app.HTMLElem { return app.Elem("pre") }

// Section returns a <section>.
func Section() app.HTMLElem { return app.Elem("section") }

// Select returns a <select>.
func Select() app.HTMLElem { return app.Elem("select") }

// Span returns a <span>.
func Span() app.HTMLElem { return app.Elem("span") }

// Strong returns a <strong>.
func Strong() app.HTMLElem { return app.Elem("strong") }

// Table returns a <table>.
func Table() app.HTMLElem { return app.Elem("table") }

// TBody returns a <tbody>.
func TBody() app.HTMLElem { return app.Elem("tbody") }

// Td returns a <td>.
func Td() app.HTMLElem { return app.Elem("td") }

// Th returns a <th>.
func Th() app.HTMLElem { return app.Elem("th") }

// THead returns a <thead>.
func THead() app.HTMLElem { return app.Elem("thead") }

// Time returns a <time>.
func Time() app.HTMLElem { return app.Elem("time") }

// Tr returns a <tr>.
func Tr() app.HTMLElem { return app.Elem("tr") }

// Ul returns a <ul>.
func Ul() app.HTMLElem { return app.Elem("ul") }

// Hr returns an <hr>, which has no end tag.
func Hr() app.HTMLElemSelfClosing { return app.ElemSelfClosing("hr") }

// Img returns an <img>, which has no end tag.
func Img() app.HTMLElemSelfClosing { return app.ElemSelfClosing("img") }

// Input returns an <input>, which has no end tag.
func Input() app.HTMLElemSelfClosing { return app.ElemSelfClosing("input") }

// Wbr returns a <wbr>. go-app's app.Wbr writes it with an end tag,
// <wbr></wbr>, and so does this one: the same HTML.
func Wbr() app.HTMLElem { return app.Elem("wbr") }
