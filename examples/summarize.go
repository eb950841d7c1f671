package examples

import (
	"embed"
	"errors"
	"io/fs"
	"strings"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/prompts"
)

// Seed pattern "Prompts in Workflow": a task renders the summarize prompt
// (production label) from the worker's prompt manager and returns the chat
// messages it would send to an LLM.

//go:embed prompts
var bundled embed.FS

// bundledPrompts is examples/prompts, used when the worker's prompts
// directory (prompts.dir, GRAFLOW_PROMPTS_DIR) has no summarize prompt.
var bundledPrompts = func() *prompts.Manager {
	sub, err := fs.Sub(bundled, "prompts")
	if err != nil {
		return prompts.NewManager("prompts")
	}
	return prompts.NewManagerFS(sub)
}()

var summarizeTask = graflow.NewTask("summarize_task", func(ctx *graflow.TaskContext, in struct {
	Text     string `json:"text"`
	MaxWords int    `json:"max_words"`
}) ([]prompts.Message, error) {
	vars := map[string]any{"text": in.Text, "max_words": in.MaxWords}
	msgs, err := ctx.Prompts().RenderMessages("summarize", vars, prompts.Label("production"))
	if errors.Is(err, prompts.ErrPromptNotFound) {
		msgs, err = bundledPrompts.RenderMessages("summarize", vars, prompts.Label("production"))
	}
	return msgs, err
})

func init() {
	register(Example{
		Name:        "summarize",
		Description: "prompts in a task: render the summarize prompt (production label) into chat messages",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("summarize")
			wf.Add(summarizeTask)
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"text": "content to summarize", "max_words": 100})},
		Output:  "user: Summarize the following text in 100 words or less:\n\ncontent to summarize",
		Format: func(res *graflow.Result) (string, error) {
			var msgs []prompts.Message
			if err := res.Value(&msgs); err != nil {
				return "", err
			}
			lines := make([]string, len(msgs))
			for i, m := range msgs {
				lines[i] = m.Role + ": " + strings.TrimRight(m.Content, "\n")
			}
			return strings.Join(lines, "\n"), nil
		},
	})
}
