// Package cli holds the configuration shared by graflow's binaries
// (cmd/worker and cmd/starter): the connection settings of the Temporal
// client, the task queue, TLS and API-key options for Temporal Cloud, and the
// log level.
//
// Every setting is read with the precedence flag > environment > config file
// > default, through a *viper.Viper bound to the command's flags:
//
//	v := viper.New()
//	root := &cobra.Command{Use: "tool", PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
//		return cli.ReadConfig(v)
//	}}
//	if err := cli.AddFlags(root, v); err != nil { ... }
//	...
//	c, err := cli.Dial(ctx, v) // "cannot reach Temporal at 127.0.0.1:7233: connection refused"
//
// The settings, their flags and environment variables:
//
//	address          --address          GRAFLOW_ADDRESS, TEMPORAL_ADDRESS     127.0.0.1:7233
//	namespace        --namespace        GRAFLOW_NAMESPACE, TEMPORAL_NAMESPACE default
//	task-queue       --task-queue       GRAFLOW_TASK_QUEUE                    graflow
//	config           --config           GRAFLOW_CONFIG                        ./graflow.yaml if it exists
//	tls-cert         --tls-cert         GRAFLOW_TLS_CERT                      (client certificate, PEM)
//	tls-key          --tls-key          GRAFLOW_TLS_KEY                       (its private key, PEM)
//	tls-ca           --tls-ca           GRAFLOW_TLS_CA                        (CA bundle, PEM; default: system roots)
//	tls-server-name  --tls-server-name  GRAFLOW_TLS_SERVER_NAME               (server name to verify)
//	api-key          --api-key          GRAFLOW_API_KEY, TEMPORAL_API_KEY     (Temporal Cloud API key)
//	log-level        --log-level        GRAFLOW_LOG_LEVEL                     info (debug|info|warn|error)
//	encryption-key-file --encryption-key-file GRAFLOW_ENCRYPTION_KEY_FILE     (payload codec keys; "" = no encryption)
//
// When two environment variables name one setting, the GRAFLOW_ one wins.
// The config file is YAML whose keys are the setting names:
//
//	address: my-ns.a1b2c.tmprl.cloud:7233
//	namespace: my-ns.a1b2c
//	api-key: ...
//
// TLS is used as soon as any tls-* setting or an API key is given; an API
// key is sent as a bearer token, with the namespace in the
// temporal-namespace header. A dial that fails is one line naming the
// address and the reason, TLS ones included ("tls: certificate signed by
// unknown authority", "tls: the server refused the handshake (client
// certificate missing or not trusted?)").
// With an encryption key file, ClientOptions encrypts every payload and
// failure message with package codec; workers and starters need the same
// file.
package cli
