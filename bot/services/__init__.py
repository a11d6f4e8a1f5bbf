"""The use cases: one function each, taking a unit of work and owning its transaction and its
audit event. Entry points (api, actions) call these and render the answer."""
