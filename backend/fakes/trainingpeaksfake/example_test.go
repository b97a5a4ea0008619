package trainingpeaksfake_test

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
	_ "fitbridge/backend/source/trainingpeaks"
)

// A test elsewhere (the sync engine, the CLI) plays TrainingPeaks like this.
func Example() {
	fake := trainingpeaksfake.New(trainingpeaksfake.Options{})
	url := fake.Start()
	defer fake.Close()
	to := time.Now().AddDate(0, 0, -2)
	fake.Seed(30, to.AddDate(-1, 0, 0), to, rand.New(rand.NewSource(1)))

	d, _ := source.Lookup("trainingpeaks")
	src, err := d.New(source.Config{
		BaseURL: url,
		Token:   fake.IssueCookie(), // as if the rider had signed in
		// No pacing and short retries: loopback tests make many calls.
		Settings: map[string]string{"min_interval": "0s", "retry_base": "1ms"},
	})
	if err != nil {
		panic(err)
	}
	listed, files, skipped := 0, 0, 0
	_ = src.List(context.Background(), source.Query{}, func(a source.Activity) error {
		listed++
		if _, err := src.Download(context.Background(), a); err != nil {
			skipped++ // the manual entry and the PWX-only workout
		} else {
			files++
		}
		return nil
	})
	fmt.Println(listed, files, skipped, fake.Downloads())
	// Output: 30 28 2 28
}
