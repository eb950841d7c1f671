package prompts_test

import (
	"errors"
	"fmt"
	"testing/fstest"

	"github.com/graflow-go/graflow/prompts"
)

// Graflow's prompts/summarize.yaml, rendered with its production and
// development labels.
func ExampleManager_GetPrompt() {
	manager := prompts.NewManager("testdata/seed")

	prompt, err := manager.GetPrompt("summarize", prompts.Label("production"))
	if err != nil {
		fmt.Println(err)
		return
	}
	rendered, err := prompt.Render(map[string]any{"text": "content to summarize", "max_words": 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s v%d:\n%s\n", prompt.Label, prompt.Version, rendered)

	dev, err := manager.GetPrompt("summarize", prompts.Label("development"))
	if err != nil {
		fmt.Println(err)
		return
	}
	rendered, err = dev.Render(map[string]any{"text": "content to summarize"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s v%d: %s\n", dev.Label, dev.Version, rendered)
	// Output:
	// production v1:
	// Summarize the following text in 100 words or less:
	//
	// content to summarize
	// development v2: [DEV] Summarize: content to summarize
}

// The messages of Graflow's "Prompts in Workflow" snippet, ready for an
// LLM client.
func ExampleManager_RenderMessages() {
	manager := prompts.NewManager("testdata/seed")
	messages, err := manager.RenderMessages("summarize",
		map[string]any{"text": "Temporal runs workflows durably.", "max_words": 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range messages {
		fmt.Printf("%s: %q\n", m.Role, m.Content)
	}
	// Output:
	// user: "Summarize the following text in 10 words or less:\n\nTemporal runs workflows durably."
}

// A chat prompt in Graflow's mapping form renders every message.
func ExamplePrompt_RenderMessages() {
	manager := prompts.NewManagerFS(fstest.MapFS{
		"support/assistant.yaml": {Data: []byte(`
assistant:
  type: chat
  labels:
    production:
      version: 2
      content:
        - role: system
          content: "You answer questions about {{ product }}."
        - role: user
          content: "{% if urgent %}URGENT: {% endif %}{{ question }}"
`)},
	})
	prompt, err := manager.GetPrompt("support/assistant")
	if err != nil {
		fmt.Println(err)
		return
	}
	messages, err := prompt.RenderMessages(map[string]any{
		"product": "graflow", "question": "How do I retry a task?", "urgent": true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(prompt.Name, prompt.Type, prompt.Version)
	for _, m := range messages {
		fmt.Printf("%s: %s\n", m.Role, m.Content)
	}
	// Output:
	// support/assistant chat 2
	// system: You answer questions about graflow.
	// user: URGENT: How do I retry a task?
}

// Filters, conditionals and loops are Jinja2's.
func ExamplePrompt_Render() {
	p := &prompts.Prompt{
		Name:     "report",
		Template: "{{ title | upper }}\n{% for item in items %}- {{ item.name }}{% if item.done %} (done){% endif %}\n{% endfor %}",
	}
	out, err := p.Render(map[string]any{
		"title": "status",
		"items": []map[string]any{{"name": "parse", "done": true}, {"name": "render", "done": false}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(out)
	// Output:
	// STATUS
	// - parse (done)
	// - render
}

// A missing variable is an error naming it, not an empty string.
func ExampleRenderError() {
	manager := prompts.NewManager("testdata/seed")
	_, err := manager.Render("summarize", map[string]any{"text": "only the text"})

	var renderErr *prompts.RenderError
	if errors.As(err, &renderErr) {
		fmt.Println(renderErr.Prompt, renderErr.Variable, errors.Is(err, prompts.ErrMissingVariable))
	}
	// Output:
	// summarize max_words true
}

// Unknown names, labels and versions have their own errors.
func ExampleVersion() {
	manager := prompts.NewManager("testdata/graflow")

	_, err := manager.GetPrompt("greeting", prompts.Label("production"), prompts.Version(1))
	var versionErr *prompts.VersionNotFoundError
	if errors.As(err, &versionErr) {
		fmt.Println(versionErr.Available)
	}
	_, err = manager.GetPrompt("greeting", prompts.Label("qa"))
	var labelErr *prompts.LabelNotFoundError
	if errors.As(err, &labelErr) {
		fmt.Println(labelErr.Available)
	}
	_, err = manager.GetPrompt("farewell")
	fmt.Println(errors.Is(err, prompts.ErrPromptNotFound))
	// Output:
	// [2]
	// [production staging]
	// true
}

func ExampleManager_List() {
	infos, err := prompts.NewManager("testdata/graflow").List()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range infos {
		fmt.Println(p.Name, p.Label, p.Version, p.Type)
	}
	// Output:
	// assistant production 3 chat
	// customer/welcome production 1 text
	// greeting production 2 text
	// greeting staging 1 text
	// welcome production 1 text
}
