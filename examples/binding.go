package examples

import (
	"fmt"
	"strings"

	"github.com/graflow-go/graflow/graflow"
)

// Parameter priority: a value bound to the instance beats the channel.
var calculate = graflow.NewTask("calculate", func(ctx *graflow.TaskContext, in struct {
	Value      int `json:"value"`
	Multiplier int `json:"multiplier"`
}) (int, error) {
	return in.Value * in.Multiplier, nil
})

// Instance binding: one task, three instances with their own ids and cities.
var fetchWeather = graflow.NewTask("fetch_weather", func(ctx *graflow.TaskContext, in struct {
	City string `json:"city"`
}) (string, error) {
	return "Weather for " + in.City, nil
})

// Initial channel: parameters filled from the channel the run starts with.
var greet = graflow.NewTask("greet", func(ctx *graflow.TaskContext, in struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}) (string, error) {
	return strings.TrimSpace(strings.Repeat("Hello "+in.Name+"! ", in.Count)), nil
})

func init() {
	register(Example{
		Name:        "priority",
		Description: "bound parameter beats channel: calc(value=10) with channel value=100, multiplier=5",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("priority")
			wf.Add(calculate.Instance("calc", graflow.Params{"value": 10}))
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"value": 100, "multiplier": 5})},
		Output:  "calc = 10 (bound) x 5 (channel) = 50",
		Format:  valueAs[int]("calc = 10 (bound) x 5 (channel) = %d"),
	})
	register(Example{
		Name:        "binding",
		Description: "instance binding: tokyo >> paris >> london, one task with three bound cities",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("binding")
			wf.Add(graflow.Chain(
				fetchWeather.Instance("tokyo", graflow.Params{"city": "Tokyo"}),
				fetchWeather.Instance("paris", graflow.Params{"city": "Paris"}),
				fetchWeather.Instance("london", graflow.Params{"city": "London"}),
			))
			return wf
		},
		Output: "tokyo: Weather for Tokyo\nparis: Weather for Paris\nlondon: Weather for London",
		Format: func(res *graflow.Result) (string, error) {
			lines := make([]string, 0, 3)
			for _, id := range []string{"tokyo", "paris", "london"} {
				var v string
				if err := res.Channel.Get(graflow.ResultKey(id), &v); err != nil {
					return "", err
				}
				lines = append(lines, fmt.Sprintf("%s: %s", id, v))
			}
			return strings.Join(lines, "\n"), nil
		},
	})
	register(Example{
		Name:        "initial_channel",
		Description: "parameters from the initial channel: greet(name, count)",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("initial_channel")
			wf.Add(greet)
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"name": "Alice", "count": 2})},
		Output:  "Hello Alice! Hello Alice!",
		Format:  valueAs[string]("%s"),
	})
}
