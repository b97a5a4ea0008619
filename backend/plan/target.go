package plan

import (
	"context"
	"errors"
)

// Target is a place that takes planned workouts: a trainer app's workout
// folder, a head unit's account. A platform offers one through its
// descriptor; the engine decides what to deliver, update or remove and
// keeps each workout's state, so a target only writes, replaces and deletes.
type Target interface {
	// Accepts says what the target can express; the engine adapts each
	// workout to it first.
	Accepts() Accepts
	// Deliver puts the workout there, replacing the earlier delivery prev
	// (zero for a first one), and returns where it now is. It must verify
	// the result where the place allows (a workout the device cannot use
	// is an error, not a success).
	Deliver(ctx context.Context, w Workout, prev Delivery) (Delivery, error)
	// Remove takes an earlier delivery away. It must touch nothing but what
	// FitBridge delivered. ErrCannotRemove says the place offers no way.
	Remove(ctx context.Context, d Delivery) error
}

// Delivery says where a delivered workout is: a file name, a remote id.
type Delivery struct {
	Ref string `json:"ref"`
}

// ErrCannotRemove means the place offers FitBridge no way to remove a
// workout: the rider has to delete it there.
var ErrCannotRemove = errors.New("cannot remove a workout there")

// States of a planned workout at one target.
const (
	StatePending   = "pending"   // in the plan, not delivered yet (a dry run, or waiting)
	StateDelivered = "delivered" // there as planned
	StateChanged   = "changed"   // there, rewritten because the plan changed
	StateRemoved   = "removed"   // taken away: deleted from the plan, or past
	StateFailed    = "failed"    // could not be delivered or removed; Reason says why
)
