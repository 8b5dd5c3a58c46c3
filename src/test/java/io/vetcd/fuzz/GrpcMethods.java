package io.vetcd.fuzz;

import com.google.protobuf.Descriptors;

import java.util.ArrayList;
import java.util.List;

/** Every method of every gRPC service a member serves (etcd's KV, Watch, Lease, Cluster, Maintenance, Auth, Lock, Election). */
final class GrpcMethods {
    private GrpcMethods() {}

    static final List<Descriptors.MethodDescriptor> ALL = all();

    private static List<Descriptors.MethodDescriptor> all() {
        List<Descriptors.MethodDescriptor> out = new ArrayList<>();
        for (Descriptors.FileDescriptor f : List.of(io.vetcd.pb.etcdserver.RpcProto.getDescriptor(),
                io.vetcd.pb.lock.LockProto.getDescriptor(), io.vetcd.pb.election.ElectionProto.getDescriptor())) {
            for (Descriptors.ServiceDescriptor s : f.getServices()) out.addAll(s.getMethods());
        }
        return List.copyOf(out);
    }

    static String path(Descriptors.MethodDescriptor m) {
        return "/" + m.getService().getFullName() + "/" + m.getName();
    }
}
