// Package registrywatch lets the worker learn of tasks registered after it
// was built, without a method on graflow.Registry that users would see:
// package graflow sets Watch when it is initialised.
package registrywatch

// Watch calls fn with the name of every task registered in reg (a
// *graflow.Registry) from now on, until stop is called.
var Watch func(reg any, fn func(name string)) (stop func())
