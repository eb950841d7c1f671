package graflow

// Key is a typed channel key.
type Key[T any] struct{ name string }

// NewKey returns a typed key for values of type T.
func NewKey[T any](name string) Key[T] { return Key[T]{name: name} }

// Name returns the channel key.
func (k Key[T]) Name() string { return k.name }

// Get reads the key's value from ch.
func (k Key[T]) Get(ch *Channel) (T, error) {
	var v T
	err := ch.Get(k.name, &v)
	return v, err
}

// Set writes v under the key.
func (k Key[T]) Set(ch *Channel, v T, opts ...SetOption) error { return ch.Set(k.name, v, opts...) }

// ListKey is a typed channel key holding a list.
type ListKey[T any] struct{ name string }

// NewListKey returns a typed key for a list of T.
func NewListKey[T any](name string) ListKey[T] { return ListKey[T]{name: name} }

// Name returns the channel key.
func (k ListKey[T]) Name() string { return k.name }

// Append adds v to the list and returns its new length.
func (k ListKey[T]) Append(ch *Channel, v T, opts ...SetOption) (int, error) {
	return ch.Append(k.name, v, opts...)
}

// All returns the list; an absent key gives an empty list.
func (k ListKey[T]) All(ch *Channel) ([]T, error) {
	var v []T
	if !ch.Has(k.name) {
		return v, nil
	}
	err := ch.Get(k.name, &v)
	return v, err
}
