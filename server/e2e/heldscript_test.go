package e2e

import "fmt"

// What the start figures share (list_scale, start and the helmbench-only
// scale measurement).

// requests says when the client's and the list's requests started and
// ended (ms since navigation, from the page's resource timings): where
// Live's time went.
func requests(c *chrome) string {
	got, err := eval[string](c, `performance.getEntriesByType("resource")
		.filter(e => /\/api\/sessions(\/snapshot|\/stream)?(\?|$)|\/app\.wasm$/.test(e.name))
		.map(e => new URL(e.name).pathname.replace("/api/sessions", "list").replace("/web/", "") + " " + e.startTime.toFixed(0) + "→" + (e.responseEnd ? e.responseEnd.toFixed(0) : "open") + "ms " + (e.transferSize/1024).toFixed(0) + "KB")
		.join(", ")`)
	if err != nil {
		return err.Error()
	}
	return got
}

// longTasks is what the browser's long-task timing saw until the whole
// list was held: how long the page could not answer the user.
type longTasks struct {
	Max, Sum float64 // the longest task, and all tasks over 50 ms together (ms)
	Over100  int     // tasks over 100 ms
	MaxReady float64 // the longest task once the client was ready (the list's load, not the wasm's start)
}

// heldScript records in window.__held when the page first holds n
// sessions (#count's data-held): the whole list, not the seed; and in
// window.__long the long tasks until then (longTasks).
func heldScript(n int) string {
	return fmt.Sprintf(`(() => {
	const tasks = [];
	new PerformanceObserver(list => {
		for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
	}).observe({type: "longtask", buffered: true});
	Object.defineProperty(window, "__long", {get: () => {
		const long = {max: 0, sum: 0, over100: 0, maxReady: 0};
		const ready = window.__helm && window.__helm.wasm;
		for (const [start, d] of tasks) {
			if (window.__held !== undefined && start > window.__held) continue;
			long.max = Math.max(long.max, d);
			long.sum += d;
			if (d > 100) long.over100++;
			if (ready !== null && start >= ready) long.maxReady = Math.max(long.maxReady, d);
		}
		return long;
	}});
	new MutationObserver((_, obs) => {
		const c = document.getElementById("count");
		if (c && c.dataset.held === "%d") { window.__held = performance.now(); obs.disconnect(); }
	}).observe(document, {subtree: true, childList: true, attributes: true});
})();`, n)
}
