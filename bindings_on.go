//go:build bindings

package main

// generatingBindings is true in the build `wails build` runs to read the
// bound methods.
const generatingBindings = true
