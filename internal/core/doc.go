// Package core is what package graflow shares with the executors (packages
// temporal, activities and graflowtest) and a user never calls: the types it
// fills for them and the hooks it sets when it is initialised, so that the
// user API shows what a user writes and nothing else.
//
// A hook value typed any is a graflow value (the comment names its type).
// Executors use these hooks through package internal/engine, which gives
// them their graflow types.
package core
