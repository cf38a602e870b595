module learn-k8s-easy/tasks/lab/runc-nocap

go 1.22
