package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/graflow-go/graflow/temporal"
)

// Setting names: the viper keys, the flag names and the config-file keys.
const (
	KeyAddress       = "address"
	KeyNamespace     = "namespace"
	KeyTaskQueue     = "task-queue"
	KeyConfig        = "config"
	KeyTLSCert       = "tls-cert"
	KeyTLSKey        = "tls-key"
	KeyTLSCA         = "tls-ca"
	KeyTLSServerName = "tls-server-name"
	KeyAPIKey        = "api-key"
	KeyLogLevel      = "log-level"
	// KeyEncryptionKeyFile names the key file of the payload codec
	// (package codec); "" = payloads are not encrypted.
	KeyEncryptionKeyFile = "encryption-key-file"
)

// Defaults of the shared settings.
const (
	// DefaultAddress is the frontend address of a local Temporal server,
	// the same default as the temporal CLI.
	DefaultAddress = "127.0.0.1:7233"
	// DefaultNamespace is Temporal's default namespace.
	DefaultNamespace = "default"
	// DefaultConfigFile is read from the working directory when it exists
	// and no other config file is named.
	DefaultConfigFile = "graflow.yaml"
	// DefaultLogLevel is the level of the binaries' logs.
	DefaultLogLevel = "info"
)

// EnvPrefix starts the environment variable of every setting: the variable
// of a key is EnvPrefix + its upper-snake form (task-queue →
// GRAFLOW_TASK_QUEUE).
const EnvPrefix = "GRAFLOW_"

// EnvName returns the GRAFLOW_ environment variable of a setting key.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// Config is the resolved value of the shared settings.
type Config struct {
	// Address is the host:port of the Temporal frontend.
	Address string
	// Namespace is the Temporal namespace.
	Namespace string
	// TaskQueue is the task queue of runs and workers.
	TaskQueue string
	// ConfigFile is the config file that was read ("" = none).
	ConfigFile string
	// TLSCert and TLSKey are PEM files of a client certificate (mTLS).
	TLSCert, TLSKey string
	// TLSCA is a PEM bundle of the CAs to trust ("" = system roots).
	TLSCA string
	// TLSServerName overrides the server name verified by TLS.
	TLSServerName string
	// APIKey is a Temporal Cloud API key (sent as a bearer token over TLS).
	APIKey string
	// LogLevel is the level of the binaries' logs.
	LogLevel slog.Level
	// EncryptionKeyFile is the key file of the AES-256-GCM payload codec
	// ("" = payloads are not encrypted). See package codec.
	EncryptionKeyFile string
}

// TLSEnabled reports whether the connection uses TLS: as soon as any TLS
// setting or an API key is given.
func (c Config) TLSEnabled() bool {
	return c.TLSCert != "" || c.TLSKey != "" || c.TLSCA != "" || c.TLSServerName != "" || c.APIKey != ""
}

// AddFlags adds the shared settings as persistent flags of cmd and binds
// them, with their environment variables, into v. Call ReadConfig once the
// flags are parsed (in a PersistentPreRunE) to read the config file.
func AddFlags(cmd *cobra.Command, v *viper.Viper) error {
	fs := cmd.PersistentFlags()
	fs.String(KeyAddress, DefaultAddress, "host:port of the Temporal frontend")
	fs.String(KeyNamespace, DefaultNamespace, "Temporal namespace")
	fs.String(KeyTaskQueue, temporal.DefaultTaskQueue, "task queue of runs and workers")
	fs.String(KeyConfig, "", "YAML config file (default ./"+DefaultConfigFile+" if it exists)")
	fs.String(KeyTLSCert, "", "client certificate file (PEM) for mTLS")
	fs.String(KeyTLSKey, "", "client private key file (PEM) for mTLS")
	fs.String(KeyTLSCA, "", "CA bundle file (PEM) to verify the server (default: system roots)")
	fs.String(KeyTLSServerName, "", "server name to verify with TLS")
	fs.String(KeyAPIKey, "", "Temporal Cloud API key (enables TLS)")
	fs.String(KeyLogLevel, DefaultLogLevel, "log level: debug, info, warn or error")
	fs.String(KeyEncryptionKeyFile, "", `key file of the payload codec: encrypt payloads with AES-256-GCM (lines "<key-id>:<base64 of 32 bytes>"; the last, or the one marked "*", encrypts)`)

	extra := map[string][]string{
		KeyAddress:   {"TEMPORAL_ADDRESS"},
		KeyNamespace: {"TEMPORAL_NAMESPACE"},
		KeyAPIKey:    {"TEMPORAL_API_KEY"},
	}
	for _, key := range []string{
		KeyAddress, KeyNamespace, KeyTaskQueue, KeyConfig, KeyTLSCert, KeyTLSKey,
		KeyTLSCA, KeyTLSServerName, KeyAPIKey, KeyLogLevel, KeyEncryptionKeyFile,
	} {
		if err := BindFlag(v, cmd, key, extra[key]...); err != nil {
			return err
		}
	}
	return nil
}

// BindFlag binds the flag called key of cmd (local or persistent) to the
// viper key of the same name, together with its environment variables:
// EnvName(key) first, then the extra names, the first one set winning.
func BindFlag(v *viper.Viper, cmd *cobra.Command, key string, extraEnv ...string) error {
	f := cmd.Flags().Lookup(key)
	if f == nil {
		f = cmd.PersistentFlags().Lookup(key)
	}
	if f == nil {
		return fmt.Errorf("cli: command %q has no flag --%s", cmd.Name(), key)
	}
	if err := v.BindPFlag(key, f); err != nil {
		return fmt.Errorf("cli: bind flag --%s: %w", key, err)
	}
	envs := append([]string{EnvName(key)}, extraEnv...)
	if err := v.BindEnv(append([]string{key}, envs...)...); err != nil {
		return fmt.Errorf("cli: bind environment of %s: %w", key, err)
	}
	return nil
}

// ReadConfig reads the config file into v: the one named by the config
// setting (flag or GRAFLOW_CONFIG), which must exist, else ./graflow.yaml
// when it exists. Files without a known extension are read as YAML.
func ReadConfig(v *viper.Viper) error {
	path := v.GetString(KeyConfig)
	if path == "" {
		if _, err := os.Stat(DefaultConfigFile); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("config file %s: %w", DefaultConfigFile, err)
		}
		path = DefaultConfigFile
	}
	v.SetConfigFile(path)
	ext := strings.TrimPrefix(filepath.Ext(path), ".")
	if !slices.Contains(viper.SupportedExts, ext) {
		v.SetConfigType("yaml")
	}
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// Load returns the shared settings resolved from v, checked.
func Load(v *viper.Viper) (Config, error) {
	c := Config{
		Address:       strings.TrimSpace(v.GetString(KeyAddress)),
		Namespace:     strings.TrimSpace(v.GetString(KeyNamespace)),
		TaskQueue:     strings.TrimSpace(v.GetString(KeyTaskQueue)),
		ConfigFile:    v.ConfigFileUsed(),
		TLSCert:       v.GetString(KeyTLSCert),
		TLSKey:        v.GetString(KeyTLSKey),
		TLSCA:         v.GetString(KeyTLSCA),
		TLSServerName: v.GetString(KeyTLSServerName),
		APIKey:        strings.TrimSpace(v.GetString(KeyAPIKey)),

		EncryptionKeyFile: strings.TrimSpace(v.GetString(KeyEncryptionKeyFile)),
	}
	level, err := ParseLevel(v.GetString(KeyLogLevel))
	if err != nil {
		return Config{}, err
	}
	c.LogLevel = level
	switch {
	case c.Address == "":
		return Config{}, errors.New("no Temporal address: set --address or TEMPORAL_ADDRESS")
	case c.Namespace == "":
		return Config{}, errors.New("no namespace: set --namespace or TEMPORAL_NAMESPACE")
	case c.TaskQueue == "":
		return Config{}, errors.New("no task queue: set --task-queue or GRAFLOW_TASK_QUEUE")
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return Config{}, errors.New("--tls-cert and --tls-key must be given together")
	}
	return c, nil
}

// ParseLevel parses a log level: debug, info, warn (or warning) or error,
// in any case.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	default:
		return 0, fmt.Errorf("invalid log level %q (want debug, info, warn or error)", s)
	}
}
