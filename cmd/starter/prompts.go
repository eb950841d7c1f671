package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/prompts"
)

// keyPromptsDir is the setting naming the prompts directory: flag --dir of
// `starter prompts`, environment GRAFLOW_PROMPTS_DIR, config-file key
// prompts-dir (or prompts.dir, the worker's key).
const keyPromptsDir = "prompts-dir"

// keyPromptsDirNested is the worker's config-file key of the same setting.
const keyPromptsDirNested = "prompts.dir"

// newPromptsCmd builds `starter prompts`: list and render the YAML prompts.
func newPromptsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prompts",
		Short: "List and render the YAML prompts",
		Long: `List the prompts of a prompts directory and render one of them, as tasks do
with TaskContext.Prompts().

The directory is --dir, else GRAFLOW_PROMPTS_DIR, else prompts-dir (or
prompts.dir) in the config file, else ./prompts.`,
		Example: `  starter prompts list --dir examples/prompts
  starter prompts render summarize --var text="Temporal is durable." --var max_words=10
  starter prompts render summarize --label development --var text=hello`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().String("dir", "", "prompts directory (default $"+prompts.EnvDir+" or ./prompts)")
	bind := func() error {
		if err := a.v.BindPFlag(keyPromptsDir, cmd.PersistentFlags().Lookup("dir")); err != nil {
			return fmt.Errorf("bind flag --dir: %w", err)
		}
		if err := a.v.BindEnv(keyPromptsDir, prompts.EnvDir); err != nil {
			return fmt.Errorf("bind environment of %s: %w", keyPromptsDir, err)
		}
		return nil
	}
	if err := bind(); err != nil {
		cmd.RunE = func(*cobra.Command, []string) error { return err }
		return cmd
	}
	cmd.AddCommand(newPromptsListCmd(a), newPromptsRenderCmd(a))
	return cmd
}

// promptsManager returns the manager of the configured prompts directory.
func (a *app) promptsManager() *prompts.Manager {
	dir := strings.TrimSpace(a.v.GetString(keyPromptsDir))
	if dir == "" {
		dir = strings.TrimSpace(a.v.GetString(keyPromptsDirNested))
	}
	return prompts.NewManager(dir)
}

// newPromptsListCmd builds `starter prompts list`: one
// name<TAB>label<TAB>version<TAB>type<TAB>file line per prompt version.
func newPromptsListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the prompts: name, label, version, type and file, tab separated",
		Long: `List every prompt version of the prompts directory on stdout, one
name<TAB>label<TAB>version<TAB>type<TAB>file line each, sorted by name, label
and version. Broken files and duplicate definitions are reported as an error
after the prompts that loaded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := a.promptsManager()
			infos, listErr := m.List()
			out := cmd.OutOrStdout()
			for _, p := range infos {
				if _, err := fmt.Fprintf(out, "%s\t%s\t%d\t%s\t%s\n", p.Name, p.Label, p.Version, p.Type, p.File); err != nil {
					return fmt.Errorf("writing the list: %w", err)
				}
			}
			if len(infos) == 0 && listErr == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "no prompts in %s\n", m.Dir())
			}
			return listErr
		},
	}
}

// newPromptsRenderCmd builds `starter prompts render NAME`: the rendered
// text, or a chat prompt's messages as "role: content" blocks.
func newPromptsRenderCmd(a *app) *cobra.Command {
	var (
		label   string
		version int
		vars    []string
	)
	cmd := &cobra.Command{
		Use:   "render <name>",
		Short: "Render a prompt with variables",
		Long: `Render a prompt on stdout: the text of a text prompt, or every message of a
chat prompt as a "role: content" block (blocks separated by a blank line).

Each --var key=value gives a variable; the value is JSON when it parses as
JSON (numbers, booleans, lists, objects), else a string. A variable that the
template uses and no --var gives is an error.`,
		Example: `  starter prompts render summarize --var text="Temporal is durable." --var max_words=10
  starter prompts render summarize --label development --var text=hello
  starter prompts render customer/welcome --version 2 --var 'user={"name":"Ann"}'`,
		Args: oneArg("prompt name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			values, err := parseVars(vars)
			if err != nil {
				return err
			}
			opts := []prompts.Option{prompts.Label(label)}
			if cmd.Flags().Changed("version") {
				opts = append(opts, prompts.Version(version))
			}
			p, err := a.promptsManager().GetPrompt(args[0], opts...)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if p.Type == prompts.TypeChat {
				msgs, err := p.RenderMessages(values)
				if err != nil {
					return err
				}
				return writeMessages(out, msgs)
			}
			text, err := p.Render(values)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(out, text)
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&label, "label", "l", prompts.DefaultLabel, "label to render")
	fs.IntVar(&version, "version", 0, "version to render (default: the label's highest)")
	fs.StringArrayVar(&vars, "var", nil, "template variable as key=value (repeatable; JSON values are decoded)")
	return cmd
}

// writeMessages prints chat messages as "role: content" blocks separated by
// blank lines.
func writeMessages(w io.Writer, msgs []prompts.Message) error {
	for i, m := range msgs {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s%s: %s\n", sep, m.Role, m.Content); err != nil {
			return err
		}
	}
	return nil
}

// parseVars parses --var key=value pairs like --input (JSON when it parses,
// else a string), with JSON numbers turned into int64 or float64 so that
// templates can compute with them.
func parseVars(pairs []string) (map[string]any, error) {
	return parsePairs("--var", pairs, func(raw string) any { return plainNumbers(parseValue(raw)) })
}

// plainNumbers replaces the json.Number values of v, at any depth, with
// int64 when they are integers that fit, else float64 (else the number's
// text).
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case []any:
		for i := range x {
			x[i] = plainNumbers(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = plainNumbers(x[k])
		}
		return x
	default:
		return v
	}
}
